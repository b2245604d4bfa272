import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { InvalidRequestError } from '../common/errors';
import { SERVICE_ROOT_PATH } from '../common/service-root';
import { BatchItem, parseBatch } from './batch-request';

/**
 * The multipart batch format of OData 4.0 (Protocol Part 1 §11.7; RFC 2046 multipart/mixed), as
 * SAP Cloud SDK and o.js send it: each part an `application/http` request, or a change set (a
 * nested multipart/mixed) whose requests are applied together or not at all. It is turned into
 * the requests of a JSON batch and checked by `parseBatch`, so both formats have one set of rules
 * (20 requests, methods, headers, no nested $batch) and one execution.
 */

/** A request body in the multipart format, as the content type parser hands it over. */
export class MultipartBatchBody {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}

/** The batch's parts in order: a request, or a change set of requests, with their Content-IDs. */
export type MultipartBatchPart =
  | { readonly kind: 'request'; readonly request: PartRequest }
  | { readonly kind: 'changeset'; readonly requests: readonly PartRequest[] };

interface PartRequest {
  /** The id of its BatchItem. */
  readonly id: string;
  /** The part's Content-ID, echoed on its response (Protocol §11.7.3.1). */
  readonly contentId?: string;
}

export interface MultipartBatch {
  readonly items: BatchItem[];
  readonly parts: MultipartBatchPart[];
}

/** The answer of one request of the batch (as BatchService gives it). */
export interface PartResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Headers of an embedded request that describe its transport, not the request: Fastify sets them. */
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'host']);

/**
 * Reads a multipart batch. `origin` (the scheme and host the batch was sent to) is the only host
 * an absolute request URL may name; `/beta/…` and service-relative URLs are taken too.
 */
export function parseMultipartBatch(body: MultipartBatchBody, origin: string): MultipartBatch {
  const boundary = boundaryOf(body.contentType);
  if (!boundary) {
    throw new InvalidRequestError('A multipart/mixed batch needs a boundary parameter.');
  }
  const requests: Record<string, unknown>[] = [];
  const parts: MultipartBatchPart[] = [];
  splitParts(body.text, boundary, 'The batch').forEach((text, index) => {
    const where = `Part ${index + 1} of the batch`;
    const part = splitHeaders(text, where);
    const type = part.headers['content-type'] ?? '';
    if (/^multipart\/mixed\b/i.test(type)) {
      const changeSetBoundary = boundaryOf(type);
      if (!changeSetBoundary)
        throw new InvalidRequestError(`${where}: a change set needs a boundary.`);
      const group = `changeset-${index + 1}`;
      const members = splitParts(part.content, changeSetBoundary, where).map((memberText, at) => {
        const memberWhere = `Request ${at + 1} of the change set in part ${index + 1}`;
        const member = splitHeaders(memberText, memberWhere);
        if (/^multipart\//i.test(member.headers['content-type'] ?? '')) {
          throw new InvalidRequestError(`${memberWhere}: a change set cannot hold another one.`);
        }
        return addRequest(requests, member, origin, memberWhere, group);
      });
      if (members.length === 0) throw new InvalidRequestError(`${where}: the change set is empty.`);
      parts.push({ kind: 'changeset', requests: members });
    } else {
      parts.push({ kind: 'request', request: addRequest(requests, part, origin, where) });
    }
  });
  return { items: parseBatch({ requests }), parts };
}

/**
 * The batch response in the same format: a part per request, a nested multipart per change set;
 * a change set that failed answers with the one response of the request that failed (Protocol
 * §11.7.4: nothing of it was applied). Parts whose requests did not run (the batch stopped at an
 * error) have no response part.
 */
export function formatMultipartBatchResponse(
  parts: readonly MultipartBatchPart[],
  responses: ReadonlyMap<string, PartResponse>,
): { contentType: string; body: string } {
  const boundary = `batchresponse_${randomUUID()}`;
  const lines: string[] = [];
  for (const part of parts) {
    const members = part.kind === 'request' ? [part.request] : part.requests;
    const answered = members.map((member) => responses.get(member.id));
    if (answered.some((response) => response === undefined)) break;
    const memberResponses = answered as PartResponse[];
    if (part.kind === 'request') {
      lines.push(`--${boundary}`, httpPart(memberResponses[0], part.request.contentId));
      continue;
    }
    const failed = failureOf(memberResponses);
    if (failed !== undefined) {
      lines.push(`--${boundary}`, httpPart(memberResponses[failed], members[failed].contentId));
      continue;
    }
    const changeSet = `changesetresponse_${randomUUID()}`;
    lines.push(
      `--${boundary}`,
      `Content-Type: multipart/mixed; boundary=${changeSet}`,
      '',
      ...members.flatMap((member, at) => [
        `--${changeSet}`,
        httpPart(memberResponses[at], member.contentId),
      ]),
      `--${changeSet}--`,
    );
  }
  lines.push(`--${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: lines.join('\r\n') };
}

/** RFC 2046 §5.1.1: `boundary`, quoted or not, 1 to 70 characters. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The body parts between the delimiters; the preamble and the epilogue are ignored. */
function splitParts(text: string, boundary: string, where: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[][] = [];
  let current: string[] | undefined;
  // Lines may end with CRLF, as RFC 2046 says, or with LF, as some clients write them.
  for (const line of text.split(/\r?\n/)) {
    // Transport padding (white space after a delimiter) is allowed.
    const trimmed = line.trimEnd();
    if (trimmed === delimiter) {
      if (current) parts.push(current);
      current = [];
    } else if (trimmed === `${delimiter}--`) {
      if (current) parts.push(current);
      return parts.map((lines) => lines.join('\r\n'));
    } else if (current) {
      current.push(line);
    }
  }
  throw new InvalidRequestError(
    parts.length === 0 && current === undefined
      ? `${where} holds no part delimited by --${boundary}.`
      : `${where} does not end with its closing delimiter --${boundary}--.`,
  );
}

/** A MIME part or an embedded HTTP message: headers up to the first empty line, then content. */
function splitHeaders(
  text: string,
  where: string,
): { headers: Record<string, string>; content: string } {
  const lines = text.split('\r\n');
  const headers: Record<string, string> = {};
  let index = 0;
  for (; index < lines.length && lines[index] !== ''; index += 1) {
    const colon = lines[index].indexOf(':');
    if (colon <= 0) throw new InvalidRequestError(`${where}: '${lines[index]}' is not a header.`);
    headers[lines[index].slice(0, colon).trim().toLowerCase()] = lines[index]
      .slice(colon + 1)
      .trim();
  }
  return { headers, content: lines.slice(index + 1).join('\r\n') };
}

const REQUEST_LINE = /^([A-Za-z]+) (\S+)(?: HTTP\/1\.[01])?$/;

/** Adds the request an `application/http` part holds, in the JSON batch's shape. */
function addRequest(
  requests: Record<string, unknown>[],
  part: { headers: Record<string, string>; content: string },
  origin: string,
  where: string,
  atomicityGroup?: string,
): PartRequest {
  const type = part.headers['content-type'] ?? '';
  if (!/^application\/http\b/i.test(type)) {
    throw new InvalidRequestError(
      `${where} must be application/http or a multipart/mixed change set, not '${type || 'none'}'.`,
    );
  }
  const [requestLine, ...rest] = part.content.replace(/^(\r\n)+/, '').split('\r\n');
  const line = REQUEST_LINE.exec(requestLine ?? '');
  if (!line) {
    throw new InvalidRequestError(
      `${where}: '${requestLine ?? ''}' is not a request line like 'GET managedTenantOperations HTTP/1.1'.`,
    );
  }
  const message = splitHeaders(rest.join('\r\n'), where);
  const headers = Object.fromEntries(
    Object.entries(message.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)),
  );
  const body = message.content.replace(/(\r\n)+$/, '');
  const id = String(requests.length + 1);
  requests.push({
    id,
    method: line[1],
    url: serviceRelativeUrl(line[2], origin, where),
    headers,
    ...(body === '' ? {} : { body }),
    ...(atomicityGroup ? { atomicityGroup } : {}),
  });
  return { id, contentId: part.headers['content-id'] || undefined };
}

/**
 * A request URL as parseBatch takes it (relative to the service root): an absolute URL must be on
 * this service's origin, and `/beta/…` loses its root. (Protocol §11.7.3: absolute, absolute
 * path, or relative to the batch request's URL, which is the service root.)
 */
function serviceRelativeUrl(url: string, origin: string, where: string): string {
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new InvalidRequestError(`${where}: '${url}' is not a URL.`);
    }
    if (target.origin !== new URL(origin).origin) {
      throw new InvalidRequestError(
        `${where}: '${url}' is not on this service (${origin}); use a URL relative to ${SERVICE_ROOT_PATH}.`,
      );
    }
    path = `${target.pathname}${target.search}`;
  }
  if (path === SERVICE_ROOT_PATH || path.startsWith(`${SERVICE_ROOT_PATH}/`)) {
    path = path.slice(SERVICE_ROOT_PATH.length) || '/';
  }
  return path;
}

/** Which response of a change set is its failure: the first error that is not a roll-back's 424. */
function failureOf(responses: readonly PartResponse[]): number | undefined {
  const failed = responses.findIndex(
    (response) => response.status >= 400 && response.status !== 424,
  );
  if (failed >= 0) return failed;
  const firstError = responses.findIndex((response) => response.status >= 400);
  return firstError >= 0 ? firstError : undefined;
}

/** An `application/http` part holding one response. */
function httpPart(response: PartResponse, contentId: string | undefined): string {
  const body =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  return [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    ...(contentId ? [`Content-ID: ${contentId}`] : []),
    '',
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd(),
    ...Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`),
    '',
    body,
  ].join('\r\n');
}
