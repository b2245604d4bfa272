import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import { AuthenticatedRequest } from '../auth/auth.decorators';
import { deferBodyError } from './deferred-body-error';
import { InvalidRequestError, ServiceError, UnsupportedMediaTypeError } from './errors';

/** Limits on what a request may be; each over-limit request gets a clear 4xx. */
export const MAX_URL_LENGTH = 8 * 1024;
export const MAX_JSON_DEPTH = 32;
/**
 * How much of a body over the limit is read and thrown away after its 413, so that a client that
 * sends its whole body before it reads the answer (Node's fetch) hears it (nginx's "lingering
 * close"); a declared body beyond this gets its 413 with `Connection: close` at once.
 */
export const MAX_DISCARDED_BODY_BYTES = 16 * 1024 * 1024;
/** Node's limit on the request line and headers together (its default), answered with 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export class UriTooLongError extends ServiceError {
  readonly status = 414;
  readonly code = 'uriTooLong';
}

// Swagger UI loads its scripts and styles from /docs and styles itself inline; nothing else may run.
const SWAGGER_UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Security headers for a JSON API, and limits on URL length and JSON nesting. (The per-request log
 * line is src/logging/request-log.ts.)
 */
export function registerHardening(fastify: FastifyInstance, swaggerPath: string): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.url.length > MAX_URL_LENGTH) {
      done(new UriTooLongError(`The URL is longer than ${MAX_URL_LENGTH} characters.`));
      return;
    }
    if (/%00/i.test(request.url)) {
      done(new InvalidRequestError(NUL_MESSAGE));
      return;
    }
    done();
  });

  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload, done) => {
    if (reply.statusCode === 413) keepConnectionAfterTooLarge(request, reply);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const isSwaggerUi =
      request.url === `/${swaggerPath}` || request.url.startsWith(`/${swaggerPath}/`);
    // A page that sets its own policy (the console) keeps it.
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', isSwaggerUi ? SWAGGER_UI_CSP : API_CSP);
    if (request.headers.authorization || (request as AuthenticatedRequest).caller) {
      reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });

  // Node hands a CONNECT (a tunnel request, which this API has no use for) to a 'connect'
  // listener instead of to Fastify, and with none it drops the connection unanswered. Given to
  // Fastify as an ordinary request, it gets the 405 (with Allow) or 404 any unknown method gets;
  // the connection is closed afterwards, since Node's parser has let go of it.
  fastify.server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket as Socket);
    response.on('finish', () => socket.end());
    fastify.server.emit('request', request, response);
  });

  // JSON bodies: Fastify's parser (which refuses __proto__ and constructor poisoning), then a
  // nesting limit, so a hostile body cannot make validation or storage recurse deeply. What it
  // cannot take is answered after authentication (src/common/deferred-body-error.ts).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // An empty body is no body, on any method: OData 4.0 clients (SAP Cloud SDK, o.js) send
    // `Content-Type: application/json` with every DELETE.
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (error, value) => {
      const problem = error
        ? new InvalidRequestError(`The request body is not valid JSON: ${whereInJson(error, text)}`)
        : depthOf(value) > MAX_JSON_DEPTH
          ? new InvalidRequestError(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`)
          : text.includes('\\u0000') && holdsNul(value)
            ? new InvalidRequestError(NUL_MESSAGE)
            : undefined;
      if (problem) {
        deferBodyError(request, problem);
        return done(null, undefined);
      }
      done(null, value);
    });
  });
  // Any other media type: no route reads it. Read as a buffer, so that the body limit holds.
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    deferBodyError(
      request,
      new UnsupportedMediaTypeError(
        `The request body must be application/json, not '${request.headers['content-type'] ?? 'none'}'.`,
      ),
    );
    done(null, undefined);
  });
}

/**
 * Fastify answers a body over the limit with `Connection: close` and stops reading it; Node then
 * closes the socket with the rest of the body unread, the kernel resets the connection, and a
 * client still sending (undici) loses the 413 to EPIPE. Instead, unless the declared length is
 * beyond MAX_DISCARDED_BODY_BYTES, the connection stays open and the rest of the body is read and
 * discarded; past that many bytes (a chunked body has no declared length) the socket is closed.
 */
function keepConnectionAfterTooLarge(request: FastifyRequest, reply: FastifyReply): void {
  const body = request.raw;
  if (body.complete || Number(request.headers['content-length']) > MAX_DISCARDED_BODY_BYTES) return;
  reply.removeHeader('connection');
  let discarded = 0;
  body.removeAllListeners('data');
  body.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BODY_BYTES) body.socket.destroy();
  });
  body.resume();
}

/**
 * U+0000 is refused everywhere (URL and JSON strings, names included): PostgreSQL cannot store it
 * in text or jsonb, and no value of this API needs it, so both databases answer alike.
 */
const NUL_MESSAGE = 'The request contains the character U+0000, which no value may contain.';

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([name, nested]) => name.includes('\0') || holdsNul(nested));
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return depth;
  let deepest = depth + 1;
  for (const nested of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(nested, depth + 1));
    if (deepest > MAX_JSON_DEPTH) break;
  }
  return deepest;
}

/**
 * Errors Node finds before Fastify sees a request (headers over the limit, a malformed request
 * line) are answered with a Graph error body too, then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          `The request headers are larger than ${MAX_HEADER_BYTES} bytes.`,
        ]
      : [400, 'Bad Request', 'The request is not valid HTTP.'];
  const body = JSON.stringify({
    error: {
      code: status === 431 ? 'requestHeaderFieldsTooLarge' : 'invalidRequest',
      message,
      innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * JSON.parse's message with the line and column of the position it names (V8 gives only the
 * offset), so that a person finds the mistake in a body they typed.
 */
export function whereInJson(error: Error, text: string): string {
  // Fastify's parser says only that the body is not JSON: JSON.parse says where.
  let parsed: Error = error;
  try {
    JSON.parse(text);
  } catch (syntax) {
    if (syntax instanceof SyntaxError) parsed = syntax;
  }
  const message = parsed.message.replace(/\s*\(line \d+ column \d+\)/, '');
  const match = /at position (\d+)/.exec(message);
  if (!match) return message;
  const position = Math.min(Number(match[1]), text.length);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${message.replace(/\.$/, '')} (line ${line}, column ${column}).`;
}
