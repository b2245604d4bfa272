import { Writable } from 'node:stream';
import { createLogger } from './logger';

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
});
