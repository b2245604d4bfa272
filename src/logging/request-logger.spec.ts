import { Writable } from 'node:stream';
import { FastifyBaseLogger } from 'fastify';
import { createLogger } from './logger';
import { RequestLogger, requestLoggerFactory } from './request-logger';

function recorded(level: 'log' | 'warn' = 'log') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const root = createLogger({ level, pretty: false }, destination);
  const children = jest.spyOn(root, 'child');
  return { root, lines, children };
}

/**
 * As Fastify calls it for a request: the root logger, the request's bindings, the route's level
 * ('' for a route without a level of its own, as Fastify passes it).
 */
function requestLog(root: FastifyBaseLogger, requestId: string, level = '') {
  return requestLoggerFactory.call(
    undefined as never,
    root,
    { requestId },
    { level },
    undefined as never,
  );
}

describe('the request logger', () => {
  it('writes the request bindings on every line, at and above the level', () => {
    const { root, lines } = recorded();
    const log = requestLog(root, 'r-1');
    log.info({ status: 200 }, 'answered');
    log.error({ code: 'x' }, 'failed');
    log.debug('not at this level');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', requestId: 'r-1', status: 200, msg: 'answered' }),
      expect.objectContaining({ level: 'error', requestId: 'r-1', code: 'x', msg: 'failed' }),
    ]);
  });

  it('makes no pino child for a request that logs nothing at its level, and one for one that does', () => {
    const { root, lines, children } = recorded('warn');
    const quiet = requestLog(root, 'r-quiet');
    quiet.info('below warn');
    quiet.debug('below warn');
    expect(quiet).toBeInstanceOf(RequestLogger);
    expect(children).not.toHaveBeenCalled();
    expect(lines).toEqual([]);

    const loud = requestLog(root, 'r-loud');
    loud.warn('one');
    loud.warn('two');
    expect(children).toHaveBeenCalledTimes(1);
    expect(lines.map((line) => [line.requestId, line.msg])).toEqual([
      ['r-loud', 'one'],
      ['r-loud', 'two'],
    ]);
  });

  it('gives children that carry the request bindings and their own', () => {
    const { root, lines } = recorded();
    requestLog(root, 'r-2').child({ step: 'store' }).info('inside');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r-2', step: 'store' })]);
  });

  it('reads and sets its level as a pino child does', () => {
    const { root, lines } = recorded('warn');
    const log = requestLog(root, 'r-3');
    expect(log.level).toBe('warn');
    log.level = 'debug';
    log.debug('now written');
    expect(log.level).toBe('debug');
    expect(root.level).toBe('warn');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r-3', msg: 'now written' })]);
  });

  it('gives a route with a level of its own pino child at that level', () => {
    const { root, lines } = recorded('warn');
    const log = requestLog(root, 'r-4', 'debug');
    expect(log).not.toBeInstanceOf(RequestLogger);
    expect(log.level).toBe('debug');
    log.debug('route-level debug');
    expect(lines).toEqual([
      expect.objectContaining({ requestId: 'r-4', msg: 'route-level debug' }),
    ]);
  });
});
