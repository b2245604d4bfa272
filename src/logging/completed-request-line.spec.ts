import { Writable } from 'node:stream';
import { CompletedRequest, CompletedRequestLine } from './completed-request-line';
import { createLogger } from './logger';

/** The line pino writes for the same request through our logger, as Fastify's request logger. */
function pinoLine(request: CompletedRequest): string {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const { requestId, ...fields } = request;
  createLogger({ level: 'log', pretty: false }, destination)
    .child({ requestId })
    .info(fields, 'request completed');
  return written;
}

const everything: CompletedRequest = {
  requestId: '0f0e0d0c-0b0a-4908-8706-050403020100',
  clientRequestId: 'client-42',
  tenant: '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d',
  user: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  method: 'GET',
  route: '/beta/managedTenantOperations/:id',
  path: '/beta/managedTenantOperations/7b7246f6-46f6-7b72-f646-727bf646727b',
  status: 200,
  durationMs: 1.3,
};

describe('CompletedRequestLine', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-29T09:30:00.123Z') }));
  afterEach(() => jest.useRealTimers());

  it.each<[string, CompletedRequest]>([
    ['every field', everything],
    [
      'a public route without a caller or a client-request-id',
      {
        ...everything,
        clientRequestId: undefined,
        tenant: undefined,
        user: undefined,
        route: '/beta/$metadata',
        path: '/beta/$metadata',
      },
    ],
    ['no route (404)', { ...everything, route: undefined, path: '/nowhere', status: 404 }],
    [
      'text that needs escaping',
      {
        ...everything,
        clientRequestId:
          'say "hi"\\ \u0001 é ✓ \ud800 and a rather long tail to pass forty-two characters',
        path: "/beta/managedTenantOperations('it''s')",
      },
    ],
    ['a whole duration', { ...everything, status: 201, durationMs: 12 }],
  ])('writes what pino writes for %s, byte for byte', (_case, request) => {
    const line = new CompletedRequestLine(request).toLine();
    expect(line).toBe(pinoLine(request));
    expect(JSON.parse(line)).toMatchObject({ msg: 'request completed', pid: process.pid });
  });

  it('takes the time when the request completed, not when the line is made', () => {
    const line = new CompletedRequestLine(everything);
    jest.advanceTimersByTime(5);
    expect(JSON.parse(line.toLine()).time).toBe('2026-11-29T09:30:00.123Z');
  });
});
