import { Writable } from 'node:stream';
import { createLogger, withoutSecrets } from './logger';

function recorder(): { destination: Writable; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { destination, lines };
}

const settle = () => new Promise((done) => setImmediate(done));

describe('createLogger', () => {
  it('writes JSON lines with an ISO time and a named level', () => {
    const { destination, lines } = recorder();
    createLogger({ level: 'log', pretty: false }, destination).info({ status: 200 }, 'done');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', status: 200, msg: 'done' });
    expect(JSON.parse(lines[0]).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it.each([
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['log', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
    ['verbose', ['error', 'warn', 'info', 'debug', 'trace']],
  ] as const)('LOG_LEVEL=%s logs %j', (level, expected) => {
    const { destination, lines } = recorder();
    const logger = createLogger({ level, pretty: false }, destination);
    for (const method of ['error', 'warn', 'info', 'debug', 'trace'] as const) logger[method]('x');
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(expected);
  });

  it('LOG_PRETTY gives one readable line per entry instead of JSON', async () => {
    const { destination, lines } = recorder();
    createLogger({ level: 'log', pretty: true }, destination).info({ status: 201 }, 'created');
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*created/);
    expect(() => JSON.parse(lines[0])).toThrow();
  });

  it('redacts credentials, tokens and bodies if a log call ever passes them', () => {
    const { destination, lines } = recorder();
    createLogger({ level: 'log', pretty: false }, destination).info(
      { credentials: { dapAccessToken: 'secret-1' }, body: 'secret-2', token: 'secret-3' },
      'oops',
    );
    expect(lines[0]).not.toMatch(/secret-\d/);
  });

  it('redacts them nested too (to three levels), and in bindings, without touching the caller’s objects', () => {
    const { destination, lines } = recorder();
    const fields = {
      operation: { id: 'op-1', credentials: { dapAccessToken: 'secret-1' } },
      req: { method: 'GET', headers: { Authorization: 'Bearer secret-2' } },
      headers: { authorization: 'Bearer secret-3' },
      reply: { token: 'secret-4' },
      status: 200,
    };
    const logger = createLogger({ level: 'log', pretty: false }, destination);
    logger.child({ token: 'secret-5' }).info(fields, 'oops');
    expect(lines[0]).not.toMatch(/secret-\d/);
    expect(JSON.parse(lines[0])).toMatchObject({
      operation: { id: 'op-1', credentials: '[redacted]' },
      req: { method: 'GET', headers: { Authorization: '[redacted]' } },
      status: 200,
    });
    expect(fields.operation.credentials.dapAccessToken).toBe('secret-1');
    expect(fields.req.headers.Authorization).toBe('Bearer secret-2');
  });

  it('leaves an entry without secrets as it is (no copy)', () => {
    const fields = { method: 'GET', route: '/x', nested: { status: 200 } };
    expect(withoutSecrets(fields)).toBe(fields);
  });
});
