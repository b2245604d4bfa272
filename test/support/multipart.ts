/** Builds and reads OData 4.0 multipart batches as a client such as SAP Cloud SDK or o.js does. */

/** A request of a batch, in the JSON batch's terms. */
export interface BatchRequestSpec {
  readonly method: string;
  /** Relative to the service root, e.g. `managedTenantOperations?$top=1`. */
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Requests with the same group go in one change set (multipart) or atomicity group (JSON). */
  readonly group?: string;
}

/** The request's part: Content-Type application/http, the request line, headers, body. */
function requestPart(request: BatchRequestSpec, contentId: string): string {
  const headers = { ...request.headers };
  if (request.body !== undefined) headers['Content-Type'] ??= 'application/json';
  return [
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    `Content-ID: ${contentId}`,
    '',
    // A request line has no spaces but its two separators: clients percent-encode the URL's.
    `${request.method} ${request.url.replace(/ /g, '%20')} HTTP/1.1`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    request.body === undefined ? '' : JSON.stringify(request.body),
  ].join('\r\n');
}

/** A multipart/mixed batch of `requests`, adjacent requests of one group in one change set. */
export function multipartBatch(requests: readonly BatchRequestSpec[]): {
  contentType: string;
  body: string;
} {
  const boundary = 'batch_0e9a6d2c';
  const lines: string[] = [];
  for (let index = 0; index < requests.length;) {
    const group = requests[index].group;
    if (group === undefined) {
      lines.push(`--${boundary}`, requestPart(requests[index], String(index + 1)));
      index += 1;
      continue;
    }
    const changeSet = `changeset_${group}`;
    lines.push(`--${boundary}`, `Content-Type: multipart/mixed; boundary=${changeSet}`, '');
    for (; index < requests.length && requests[index].group === group; index += 1) {
      lines.push(`--${changeSet}`, requestPart(requests[index], String(index + 1)));
    }
    lines.push(`--${changeSet}--`);
  }
  lines.push(`--${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: lines.join('\r\n') };
}

/** The same requests as a JSON batch. */
export function jsonBatch(requests: readonly BatchRequestSpec[]): object {
  return {
    requests: requests.map((request, index) => ({
      id: String(index + 1),
      method: request.method,
      url: `/${request.url}`,
      headers:
        request.body === undefined
          ? request.headers
          : { 'content-type': 'application/json', ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.group === undefined ? {} : { atomicityGroup: request.group }),
    })),
  };
}

/** One response of a multipart batch response; a change set's are `changeSet`. */
export interface MultipartResponsePart {
  readonly contentId?: string;
  readonly status?: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly changeSet?: MultipartResponsePart[];
}

function boundaryIn(contentType: string): string {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType);
  if (!match) throw new Error(`No boundary in '${contentType}'`);
  return match[2];
}

function sections(text: string, boundary: string): string[] {
  const end = text.indexOf(`\r\n--${boundary}--`);
  const inner = text.slice(0, end < 0 ? text.length : end);
  return inner
    .split(`--${boundary}\r\n`)
    .slice(1)
    .map((part) => part.replace(/\r\n$/, ''));
}

function headerBlock(text: string): [Record<string, string>, string] {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').filter(Boolean)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return [headers, split < 0 ? '' : text.slice(split + 4)];
}

/** Reads a multipart/mixed batch response into its parts. */
export function readMultipartResponse(contentType: string, text: string): MultipartResponsePart[] {
  return sections(text, boundaryIn(contentType)).map((section) => {
    const [mime, content] = headerBlock(section);
    if (/^multipart\/mixed/i.test(mime['content-type'] ?? '')) {
      return { headers: mime, changeSet: readMultipartResponse(mime['content-type'], content) };
    }
    const [statusLine, ...rest] = content.split('\r\n');
    const [headers, body] = headerBlock(rest.join('\r\n'));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
    const json = /json/.test(headers['content-type'] ?? '');
    return {
      contentId: mime['content-id'],
      status,
      headers,
      body: body === '' ? undefined : json ? JSON.parse(body) : body,
    };
  });
}
