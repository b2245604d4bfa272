import { createHash } from 'node:crypto';
import { GUID_PATTERN } from '../../edm/primitive-formats';
import { Dispatcher } from 'undici';
import { redactSecrets } from '../../common/redaction';
import { EngineConfig } from '../../config/app-config';
import { callOutbound, OutboundCallError, OutboundObserver, UNWATCHED } from '../outbound-call';

/**
 * Access tokens for the target tenants, from the operation's delegated credentials: with a
 * `refreshToken`, the refresh-token grant of the Microsoft identity platform (a token that
 * outlives the hour a dapAccessToken lasts, for scheduled runs; a new refresh token in the answer
 * replaces the one sent); else the OAuth 2.0 on-behalf-of flow exchanges the dapAccessToken for a
 * token in each tenant. Tokens are cached per tenant and per credential (a token obtained for one
 * partner's operation is never used for another's) until a minute before they expire. Without
 * ENTRA_CLIENT_ID the dapAccessToken itself is sent. No token is logged or kept anywhere but in
 * this cache (and a rotated refresh token in its operation, encrypted).
 */

/** An operation's delegated credentials, as the engine hands them to TenantTokens. */
export interface DelegatedCredentials {
  readonly dapAccessToken?: string;
  readonly refreshToken?: string;
  /** Keeps the refresh token the token endpoint gave in exchange for the one sent. */
  readonly keepRefreshToken?: (next: string) => void;
}

/** The credentials' tokens, to scrub from anything reported. */
export function secretsOf(credentials: DelegatedCredentials): string[] {
  return [credentials.dapAccessToken, credentials.refreshToken].filter((secret): secret is string =>
    Boolean(secret),
  );
}

/** A token is used until this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * Tokens kept at most: enough for the tenants claimed ahead and a re-run of the failed ones soon
 * after, and few enough that an operation over ten thousand tenants does not hold ten thousand
 * (the oldest goes first; a tenant whose token went asks again, once).
 */
const MAX_CACHED_TOKENS = 2_000;
/** The most of a token endpoint's answer read: a token answer is a few KiB. */
export const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
/** An OAuth error code is a word; more than this is not one, and is cut. */
const MAX_ERROR_CODE_LENGTH = 200;
/** The longest refresh token kept (credentials.refreshToken's MaxLength). */
const MAX_REFRESH_TOKEN_LENGTH = 16_384;
/** The token endpoint refused a tenant: its error code, never a token. */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    /** The endpoint refused the grant itself (`invalid_grant`: a revoked or expired token). */
    readonly grantRefused = false,
  ) {
    super(message);
  }
}

export class TenantTokens {
  private readonly cache = new Map<string, { token: string; expires: number }>();
  /** Requests under way, so that concurrent calls for one tenant make one request. */
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly config: Pick<EngineConfig, 'authorityUrl' | 'client' | 'callTimeoutMs'>,
    private readonly dispatcher: Dispatcher,
    private readonly observer: OutboundObserver = UNWATCHED,
  ) {}

  /**
   * The token for `tenantId`. `signal` stops the wait (the request itself, which other callers
   * may share, goes on within its deadline).
   */
  async tokenFor(
    tenantId: string,
    credentials: DelegatedCredentials,
    signal?: AbortSignal,
  ): Promise<string> {
    const client = this.config.client;
    const { dapAccessToken = '', refreshToken } = credentials;
    if (!client) {
      if (refreshToken && !dapAccessToken) {
        throw new TokenRequestError(
          'credentials.refreshToken needs the service to have an app registration (ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET); send a dapAccessToken instead.',
        );
      }
      return dapAccessToken;
    }
    const credential = refreshToken ? `r:${refreshToken}` : dapAccessToken;
    const key = `${tenantId}:${createHash('sha256').update(credential).digest('base64url')}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires - EXPIRY_MARGIN_MS > Date.now()) return cached.token;
    let request = this.pending.get(key);
    if (!request) {
      request = this.request(tenantId, credentials, client).then(({ token, expires }) => {
        if (this.cache.size >= MAX_CACHED_TOKENS)
          this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { token, expires });
        return token;
      });
      request.finally(() => this.pending.delete(key)).catch(() => undefined);
      this.pending.set(key, request);
    }
    return signal ? untilStopped(request, signal) : request;
  }

  private async request(
    tenantId: string,
    credentials: DelegatedCredentials,
    client: NonNullable<EngineConfig['client']>,
  ): Promise<{ token: string; expires: number }> {
    if (!GUID_PATTERN.test(tenantId)) {
      throw new TokenRequestError(`'${tenantId.slice(0, 64)}' is not a tenant id (a GUID).`);
    }
    const refreshToken = credentials.refreshToken;
    const form = new URLSearchParams(
      refreshToken
        ? {
            grant_type: 'refresh_token',
            client_id: client.id,
            refresh_token: refreshToken,
            scope: 'https://graph.microsoft.com/.default',
          }
        : {
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            client_id: client.id,
            assertion: credentials.dapAccessToken ?? '',
            scope: 'https://graph.microsoft.com/.default',
            requested_token_use: 'on_behalf_of',
          },
    );
    if (client.secret) form.set('client_secret', client.secret);
    const secrets = [...secretsOf(credentials), client.secret];
    let answer;
    try {
      answer = await callOutbound(
        {
          upstream: 'tokenEndpoint',
          url: tokenUrlOf(this.config.authorityUrl, tenantId),
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        },
        { deadlineMs: this.config.callTimeoutMs, maxBytes: MAX_TOKEN_ANSWER_BYTES },
        this.dispatcher,
        undefined,
        this.observer,
      );
    } catch (error) {
      if (!(error instanceof OutboundCallError)) throw error;
      throw new TokenRequestError(
        error.kind === 'tooLarge' || error.kind === 'deadline'
          ? `The token endpoint's answer for tenant ${tenantId} was not read: ${error.message}.`
          : `The token endpoint could not be reached for tenant ${tenantId}: ${error.message}.`,
      );
    }
    let body: {
      access_token?: unknown;
      refresh_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_codes?: unknown;
    };
    try {
      body = JSON.parse(answer.body) as typeof body;
      if (typeof body !== 'object' || body === null) body = {};
    } catch {
      body = {};
    }
    if (answer.status < 200 || answer.status > 299 || typeof body.access_token !== 'string') {
      const code =
        typeof body.error === 'string'
          ? redactSecrets(body.error, secrets).slice(0, MAX_ERROR_CODE_LENGTH)
          : `HTTP ${answer.status}`;
      const codes = Array.isArray(body.error_codes)
        ? ` (AADSTS${body.error_codes
            .filter((item) => Number.isInteger(item))
            .slice(0, 5)
            .join(', AADSTS')})`
        : '';
      throw new TokenRequestError(
        refreshToken
          ? `The token endpoint refused a token for tenant ${tenantId} from credentials.refreshToken: ${code}${codes}. Renew credentials.refreshToken (sign in again and PATCH the operation's credentials).`
          : `The token endpoint refused a token for tenant ${tenantId}: ${code}${codes}.`,
        body.error === 'invalid_grant',
      );
    }
    if (
      refreshToken &&
      typeof body.refresh_token === 'string' &&
      body.refresh_token !== refreshToken &&
      body.refresh_token.length <= MAX_REFRESH_TOKEN_LENGTH
    ) {
      credentials.keepRefreshToken?.(body.refresh_token);
    }
    const lifetime = Number(body.expires_in);
    return {
      token: body.access_token,
      expires: Date.now() + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000,
    };
  }
}

/**
 * `{authority}/{tenant}/oauth2/v2.0/token`, the tenant one percent-encoded path segment after
 * the authority's own path (ENTRA_AUTHORITY_URL may have one, behind a proxy).
 */
export function tokenUrlOf(authorityUrl: string, tenantId: string): string {
  const url = new URL(authorityUrl);
  const base = url.pathname.replace(/\/+$/, '');
  url.pathname = `${base}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  url.search = '';
  return url.href;
}

function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted)
    return Promise.reject(new TokenRequestError('The token request was stopped.'));
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new TokenRequestError('The token request was stopped.'));
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
