import { InvalidRequestError } from '../common/errors';

/**
 * The statements of an operation: the Graph requests that `operationDefinition
 * .value` holds, one per line, run in order in each target tenant, and how `aggregationDefinition
 * .value` combines the tenants' rows. Parsed here, without a framework, so that create, PATCH and
 * run refuse the same statements with the same message.
 *
 *   statement = [ "[" header *( ";" header ) "]" ] method SP path [ SP body ]
 *   header    = name ":" value                    ; [ConsistencyLevel: eventual]
 *   method    = "GET" / "POST" / "PATCH" / "PUT" / "DELETE"
 *   path      = ( "/v1.0/" / "/beta/" ) segments [ "?" query ]  ; spaces in the query are sent as %20
 *   body      = a JSON object or array            ; POST, PATCH and PUT only
 *
 * Blank lines are skipped. A path is always relative to the configured Graph endpoint: no scheme
 * or host, no `//`, no `..` or `.` segment (even percent-encoded), no backslash, no fragment, no
 * control characters or spaces, so that no statement can make the service call anywhere else.
 */

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface GraphStatement {
  readonly method: GraphMethod;
  /** From the Graph endpoint's root: `/v1.0/users?$top=5`. */
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The JSON body as written, for POST, PATCH and PUT. */
  readonly body?: string;
  readonly line: number;
}

/** How the tenants' rows are combined: every tenant's rows, at most `limit` in all. */
export interface Aggregation {
  readonly kind: 'append';
  readonly limit: number;
}

/** The rows an aggregation keeps when it does not say (`@sys.append([/result], N)` may). */
export const DEFAULT_AGGREGATION_LIMIT = 1_000;
/** The most rows an aggregation may ask for. */
export const MAX_AGGREGATION_LIMIT = 10_000;
/** The most statements an operation runs in each tenant. */
export const MAX_STATEMENTS = 20;

const METHODS = new Set<GraphMethod>(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
const WITH_BODY = new Set<GraphMethod>(['POST', 'PATCH', 'PUT']);
const VERSIONS = ['/v1.0/', '/beta/'];
// RFC 7230 token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers a statement may not set: the service's own (credentials, framing, routing). */
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'cookie',
  'proxy-authorization',
]);

/** A statement the service cannot run, with where it goes wrong. */
export class InvalidStatementError extends InvalidRequestError {
  constructor(
    readonly property: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`Invalid ${property} at line ${line}, column ${column}: ${detail}`);
  }
}

/** Parses `operationDefinition.value`: one Graph request per line, at least one. */
export function parseStatements(
  text: string,
  property = 'operationDefinition.value',
): GraphStatement[] {
  const statements: GraphStatement[] = [];
  text.split(/\r?\n/).forEach((source, index) => {
    if (source.trim() === '') return;
    statements.push(parseStatement(source, index + 1, property));
  });
  if (statements.length === 0) {
    throw new InvalidStatementError(property, 1, 1, 'there is no Graph request to run');
  }
  if (statements.length > MAX_STATEMENTS) {
    throw new InvalidStatementError(
      property,
      statements[MAX_STATEMENTS].line,
      1,
      `at most ${MAX_STATEMENTS} requests run in each tenant`,
    );
  }
  return statements;
}

/** The live service's `@sys.normalize([headers METHOD path…])`: headers and request in one bracket. */
const NORMALIZE = /^(\s*@sys\.normalize\(\s*\[)(.*)\]\s*\)\s*$/;

function parseStatement(source: string, line: number, property: string): GraphStatement {
  const normalized = NORMALIZE.exec(source);
  return normalized
    ? parseNormalized(normalized[1].length, normalized[2], line, property)
    : parseWritten(source, line, property);
}

/**
 * `@sys.normalize([ConsistencyLevel: eventual GET /v1.0/users?$top=5])`, as the live service
 * takes a statement: the headers (`;`-separated) run to the method word, then the request. It
 * is read as `[ConsistencyLevel: eventual] GET /v1.0/users?$top=5`; a mistake is told at its
 * column in the text as written.
 */
function parseNormalized(
  innerStart: number,
  inner: string,
  line: number,
  property: string,
): GraphStatement {
  const method = /(^|\s)(GET|POST|PATCH|PUT|DELETE)\s/.exec(inner);
  const methodAt = method ? method.index + method[1].length : 0;
  const headers = inner.slice(0, methodAt).trim();
  const request = inner.slice(methodAt);
  const prefix = headers === '' ? '' : `[${headers}] `;
  try {
    return parseWritten(`${prefix}${request}`, line, property);
  } catch (error) {
    if (!(error instanceof InvalidStatementError)) throw error;
    const inRequest = error.column > prefix.length;
    const column = inRequest
      ? innerStart + methodAt + (error.column - prefix.length)
      : innerStart + Math.max(error.column - 1, 1);
    throw new InvalidStatementError(property, line, column, error.detail);
  }
}

function parseWritten(source: string, line: number, property: string): GraphStatement {
  const fail = (offset: number, detail: string): never => {
    throw new InvalidStatementError(property, line, offset + 1, detail);
  };
  let position = skipSpaces(source, 0);
  const headers: Array<readonly [string, string]> = [];
  if (source[position] === '[') {
    const close = source.indexOf(']', position);
    if (close < 0) fail(position, "the header list has no closing ']'");
    let start = position + 1;
    for (const part of source.slice(position + 1, close).split(';')) {
      const colon = part.indexOf(':');
      const name = (colon < 0 ? part : part.slice(0, colon)).trim();
      const value = colon < 0 ? '' : part.slice(colon + 1).trim();
      if (colon < 0 || !HEADER_NAME.test(name)) {
        fail(start, `'${part.trim()}' is not a header like 'ConsistencyLevel: eventual'`);
      }
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        fail(start, `the header '${name}' is the service's to set`);
      }
      if (hasControlCharacter(value)) fail(start, `the value of '${name}' has a control character`);
      headers.push([name, value]);
      start += part.length + 1;
    }
    position = skipSpaces(source, close + 1);
  }
  const methodEnd = nextSpace(source, position);
  const method = source.slice(position, methodEnd);
  if (!METHODS.has(method as GraphMethod)) {
    fail(position, `'${method}' is not one of ${[...METHODS].join(', ')}`);
  }
  position = skipSpaces(source, methodEnd);
  // The path runs to the body (a space, then `{` or `[`) or to the end of the line; spaces in its
  // query (`$filter=accountEnabled eq true`) are sent as %20.
  const bodyStart = /\s[[{]/.exec(source.slice(position));
  const pathEnd = bodyStart ? position + bodyStart.index : source.trimEnd().length;
  const written = source.slice(position, pathEnd);
  checkPath(written, (offset, detail) => fail(position + offset, detail));
  const path = written.replace(/ /g, '%20');
  position = skipSpaces(source, pathEnd);
  const rest = source.slice(position).trimEnd();
  if (rest === '') {
    return { method: method as GraphMethod, path, headers, line };
  }
  if (!WITH_BODY.has(method as GraphMethod)) fail(position, `a ${method} request has no body`);
  try {
    const body: unknown = JSON.parse(rest);
    if (typeof body !== 'object' || body === null) throw new Error('not an object');
  } catch {
    fail(position, 'the body is not a JSON object or array');
  }
  return { method: method as GraphMethod, path, headers, body: rest, line };
}

/** Where a path may lead: the Graph endpoint's /v1.0 or /beta, and nowhere else. */
function checkPath(path: string, fail: (offset: number, detail: string) => never): void {
  if (path === '') fail(0, 'a path like /v1.0/users is missing');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.startsWith('//')) {
    fail(0, 'only paths on the Graph endpoint are called, not absolute URLs');
  }
  if (!VERSIONS.some((version) => path.startsWith(version))) {
    fail(0, `'${path}' does not start with /v1.0/ or /beta/`);
  }
  const query = path.indexOf('?');
  const route = query < 0 ? path : path.slice(0, query);
  if (query >= 0) checkQuery(path, query + 1, fail);
  const bad = /[\\#]/.exec(path) ?? controlCharacter(path) ?? / /.exec(route);
  if (bad) fail(bad.index, `'${bad[0] === '#' ? '#' : 'this character'}' cannot be in a path`);
  let offset = 0;
  for (const segment of route.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      fail(offset, 'the path is not valid percent-encoding');
    }
    if (offset > 0 && segment === '') fail(offset, "a path has no empty segment ('//')");
    if (decoded! === '.' || decoded! === '..' || /[/\\]/.test(decoded!)) {
      fail(offset, `the segment '${segment}' would leave the path`);
    }
    offset += segment.length + 1;
  }
}

/** System query options whose values have a fixed shape (the others are Graph's to judge). */
const OPTION_VALUES: Readonly<
  Record<string, { readonly shape: RegExp; readonly expected: string }>
> = {
  $top: { shape: /^\d+$/, expected: 'a whole number' },
  $skip: { shape: /^\d+$/, expected: 'a whole number' },
  $count: { shape: /^(true|false)$/, expected: 'true or false' },
};

/**
 * The query of a path: `name=value` pairs, names without spaces, and the options with a fixed
 * shape in it (`$top=5 please` is a typo, not a page size).
 */
function checkQuery(
  path: string,
  start: number,
  fail: (offset: number, detail: string) => never,
): void {
  let offset = start;
  for (const pair of path.slice(start).split('&')) {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    if (/\s/.test(name)) fail(offset, `'${name}' is not a query option name`);
    const rule = OPTION_VALUES[name.toLowerCase()];
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    if (rule && !rule.shape.test(value.replace(/%20/g, ' '))) {
      fail(offset + equals + 1, `${name} must be ${rule.expected}, not '${value}'`);
    }
    offset += pair.length + 1;
  }
}

/**
 * Parses `aggregationDefinition.value`: empty (every tenant's rows, at most
 * DEFAULT_AGGREGATION_LIMIT) or `@sys.append([/result], N)`.
 */
export function parseAggregation(
  text: string | null | undefined,
  property = 'aggregationDefinition.value',
): Aggregation {
  const source = (text ?? '').trim();
  if (source === '') return { kind: 'append', limit: DEFAULT_AGGREGATION_LIMIT };
  const match = /^@sys\.append\(\s*\[\s*\/result\s*\]\s*,\s*(\d{1,9})\s*\)$/.exec(source);
  if (!match) {
    throw new InvalidStatementError(
      property,
      1,
      1,
      "the aggregation is not '@sys.append([/result], N)' (or empty, to append every tenant's rows)",
    );
  }
  const limit = Number(match[1]);
  if (limit < 1 || limit > MAX_AGGREGATION_LIMIT) {
    throw new InvalidStatementError(
      property,
      1,
      source.indexOf(match[1]) + 1,
      `N must be from 1 to ${MAX_AGGREGATION_LIMIT}`,
    );
  }
  return { kind: 'append', limit };
}

/** The first control character of a text (C0 or DEL), as a match. */
function controlCharacter(text: string): { index: number; 0: string } | null {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return { index, 0: text[index] };
  }
  return null;
}

function hasControlCharacter(text: string): boolean {
  return controlCharacter(text) !== null;
}

function skipSpaces(text: string, from: number): number {
  let position = from;
  while (position < text.length && (text[position] === ' ' || text[position] === '\t')) {
    position += 1;
  }
  return position;
}

function nextSpace(text: string, from: number): number {
  let position = from;
  while (position < text.length && text[position] !== ' ' && text[position] !== '\t') {
    position += 1;
  }
  return position;
}
