import { logLevel } from '../edm/model';
import { redactSecrets, REDACTED } from '../common/redaction';
import { describeBytes } from '../integrations/outbound-call';
import {
  CallAttempt,
  GraphCallError,
  GraphClient,
  MAX_ANSWER_DEPTH,
  nestingDepth,
  pathOf,
} from '../integrations/graph/graph-client';
import { GraphStatement } from './statements';
import {
  DelegatedCredentials,
  secretsOf,
  TenantTokens,
  TokenRequestError,
} from '../integrations/graph/tenant-tokens';

/**
 * One target tenant of a run: its statements in order with the tenant's
 * token, a collection answer contributing its `value` rows (following `@odata.nextLink`, with the
 * statement's headers, only on the Graph endpoint, up to MAX_PAGES pages), an object answer
 * itself; each row tagged with `_TenantId`. The first statement that fails fails the tenant.
 */

/** The most pages one statement follows; then it stops and says so in executionInfo. */
export const MAX_PAGES = 20;
/** Bodies recorded at `logLevel: full` are cut at this many characters. */
export const MAX_LOGGED_BODY = 4_096;

/** How much of a tenant's HTTP calls is recorded (the model's logLevel). */
export type LogLevel = (typeof logLevel.members)[number];

/** An HTTP call as managedTenantOperationHttpRequests records it (`logLevel` decides how much). */
export interface RecordedCall {
  readonly attempt: number;
  readonly statusCode: number | null;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers?: Array<{ name: string; value: string }>;
    readonly body?: string | null;
  };
  readonly response?: {
    readonly status: number | null;
    readonly headers: Array<{ name: string; value: string }>;
    readonly body: string | null;
  };
}

export interface TenantRunInput {
  readonly targetTenantId: string;
  readonly statements: readonly GraphStatement[];
  /** Rows kept for the tenant at most (the aggregate keeps no more in all). */
  readonly rowLimit: number;
  /** The most bytes of rows the tenant keeps; past it the tenant fails. */
  readonly maxBytes: number;
  readonly logLevel: LogLevel;
  readonly credentials: DelegatedCredentials;
  readonly signal: AbortSignal;
  readonly record: (call: RecordedCall) => Promise<void>;
}

export interface TenantRunOutcome {
  readonly isSuccess: boolean;
  readonly rows: string[];
  /** The bytes of `rows` (UTF-8). */
  readonly bytes: number;
  readonly exception: string | null;
  readonly executionInfo: string;
  readonly calls: number;
  readonly retries: number;
}

/** Header names whose values are never recorded. */
const SECRET_HEADER = /authorization|token|secret|cookie|api-key|password/i;

export class TenantRun {
  constructor(
    private readonly graph: GraphClient,
    private readonly tokens: TenantTokens,
    /** The service's own secrets (the client secret), kept out of everything recorded. */
    private readonly serviceSecrets: readonly string[] = [],
  ) {}

  async run(input: TenantRunInput): Promise<TenantRunOutcome> {
    const started = Date.now();
    const rows: string[] = [];
    const notes: string[] = [];
    let bytes = 0;
    let calls = 0;
    let retries = 0;
    let token = '';
    const secrets = (): string[] => [
      token,
      ...secretsOf(input.credentials),
      ...this.serviceSecrets,
    ];
    const summary = (): string =>
      [
        `${input.statements.length} request${input.statements.length === 1 ? '' : 's'}`,
        `${calls} call${calls === 1 ? '' : 's'}${retries ? ` (${retries} retried)` : ''}`,
        `${rows.length} row${rows.length === 1 ? '' : 's'}`,
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...notes,
      ].join(', ');
    const fail = (message: string): TenantRunOutcome => ({
      isSuccess: false,
      rows,
      bytes,
      exception: redactSecrets(message, secrets()),
      executionInfo: redactSecrets(summary(), secrets()),
      calls,
      retries,
    });
    const keep = (row: string): boolean => {
      bytes += Buffer.byteLength(row);
      if (bytes > input.maxBytes) return false;
      rows.push(row);
      return true;
    };
    const tooLarge = (): TenantRunOutcome =>
      fail(
        `The tenant's rows are larger than ${describeBytes(input.maxBytes)} (ENGINE_MAX_TENANT_BYTES): ` +
          'ask for fewer rows or properties ($select, $top, $filter).',
      );
    try {
      token = await this.tokens.tokenFor(input.targetTenantId, input.credentials, input.signal);
    } catch (error) {
      if (error instanceof TokenRequestError) return fail(error.message);
      throw error;
    }
    const record = async (attempt: CallAttempt): Promise<void> => {
      calls += 1;
      if (attempt.attempt > 1) retries += 1;
      if (input.logLevel !== 'none') {
        await input.record(recordOf(attempt, input.logLevel, secrets()));
      }
    };
    for (const statement of input.statements) {
      let url: string | undefined = this.graph.urlOf(statement.path);
      for (let page = 1; url !== undefined; page += 1) {
        if (input.signal.aborted) return fail('The run was stopped before this tenant finished.');
        let answer;
        try {
          answer = await this.graph.call(
            { method: statement.method, url, headers: statement.headers, body: statement.body },
            token,
            record,
            input.signal,
          );
        } catch (error) {
          if (error instanceof GraphCallError) return fail(error.message);
          throw error;
        }
        if (answer.status < 200 || answer.status > 299) {
          return fail(
            `${statement.method} ${pathOf(url)} answered ${answer.status}${describeGraphError(redactSecrets(answer.body, secrets()))}` +
              (answer.attempts > 1 ? ` after ${answer.attempts} attempts` : '') +
              '.',
          );
        }
        // An answer may echo what it was sent: secrets leave it before anything of it is kept.
        const text = redactSecrets(answer.body, secrets());
        if (nestingDepth(text) > MAX_ANSWER_DEPTH) {
          return fail(
            `${statement.method} ${pathOf(url)} answered ${answer.status} with JSON nested deeper than ${MAX_ANSWER_DEPTH} levels; it was not read.`,
          );
        }
        let body: unknown;
        try {
          body = text.trim() === '' ? undefined : JSON.parse(text);
        } catch {
          return fail(
            `${statement.method} ${pathOf(url)} answered ${answer.status} with a body that is not JSON.`,
          );
        }
        url = undefined;
        if (isObject(body) && Array.isArray(body.value)) {
          for (const item of body.value) {
            if (rows.length < input.rowLimit && !keep(rowOf(item, input.targetTenantId))) {
              return tooLarge();
            }
          }
          const next = body['@odata.nextLink'];
          if (typeof next === 'string' && rows.length < input.rowLimit) {
            if (!this.graph.isAllowed(next)) {
              return fail(
                `${statement.method} ${pathOf(statement.path)} returned an @odata.nextLink that is not on the Graph endpoint; it was not followed.`,
              );
            }
            if (page >= MAX_PAGES)
              notes.push(`${statement.method} ${statement.path}: stopped after ${MAX_PAGES} pages`);
            else url = next;
          }
        } else if (isObject(body) && rows.length < input.rowLimit) {
          if (!keep(rowOf(body, input.targetTenantId))) return tooLarge();
        }
      }
    }
    if (rows.length >= input.rowLimit) notes.push(`rows cut at ${input.rowLimit}`);
    return {
      isSuccess: true,
      rows,
      bytes,
      exception: null,
      executionInfo: redactSecrets(summary(), secrets()),
      calls,
      retries,
    };
  }
}

/** A row of the answer as a JSON string: its properties without OData annotations, and `_TenantId`. */
function rowOf(item: unknown, tenantId: string): string {
  if (!isObject(item)) return JSON.stringify({ value: item, _TenantId: tenantId });
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith('@odata.')) row[name] = value;
  }
  row._TenantId = tenantId;
  return JSON.stringify(row);
}

/** ` Authorization_RequestDenied: Insufficient privileges…` from a Graph error body, if it is one. */
function describeGraphError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
    if (code || message) {
      return ` ${[code, message].filter(Boolean).join(': ')}`.slice(0, 1_000).replace(/\.+$/, '');
    }
  } catch {
    // Not a Graph error body: the status says it.
  }
  return '';
}

function recordOf(attempt: CallAttempt, level: LogLevel, secrets: readonly string[]): RecordedCall {
  const statusCode = attempt.status === 0 ? null : attempt.status;
  const base = {
    attempt: attempt.attempt,
    statusCode,
    request: { method: attempt.request.method, url: attempt.request.url },
  };
  if (level !== 'full') return base;
  return {
    ...base,
    request: {
      ...base.request,
      headers: [
        { name: 'Authorization', value: `Bearer ${REDACTED}` },
        ...redactHeaders(attempt.request.headers, secrets),
      ],
      body:
        attempt.request.body === undefined
          ? null
          : truncate(redactSecrets(attempt.request.body, secrets)),
    },
    response: {
      status: statusCode,
      headers: redactHeaders(attempt.responseHeaders, secrets),
      body: attempt.error ? attempt.error : truncate(redactSecrets(attempt.responseBody, secrets)),
    },
  };
}

function redactHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  secrets: readonly string[],
): Array<{ name: string; value: string }> {
  return headers.map(([name, value]) => ({
    name,
    value: SECRET_HEADER.test(name) ? REDACTED : redactSecrets(value, secrets),
  }));
}

function truncate(text: string): string {
  return text.length > MAX_LOGGED_BODY ? `${text.slice(0, MAX_LOGGED_BODY)}… [truncated]` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
