import { createHash } from 'node:crypto';
import { Dispatcher, request } from 'undici';
import { EngineConfig } from '../config/app-config';

/**
 * Access tokens for the target tenants (issue 17, req. 6): the OAuth 2.0 on-behalf-of flow of the
 * Microsoft identity platform exchanges the operation's dapAccessToken for a token in each tenant,
 * cached per tenant and per dapAccessToken (a token obtained for one partner's operation is never
 * used for another's) until a minute before it expires. Without ENTRA_CLIENT_ID the
 * dapAccessToken itself is sent. No token is logged or kept anywhere but in this cache.
 */

/** A token is used until this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;
/**
 * Tokens kept at most: enough for the tenants claimed ahead and a re-run of the failed ones soon
 * after, and few enough that an operation over ten thousand tenants does not hold ten thousand
 * (the oldest goes first; a tenant whose token went asks again, once).
 */
const MAX_CACHED_TOKENS = 2_000;
const TOKEN_TIMEOUT_MS = 15_000;

/** The token endpoint refused a tenant: its error code, never a token. */
export class TokenRequestError extends Error {}

export class TenantTokens {
  private readonly cache = new Map<string, { token: string; expires: number }>();
  /** Requests under way, so that concurrent calls for one tenant make one request. */
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly config: Pick<EngineConfig, 'authorityUrl' | 'client'>,
    private readonly dispatcher: Dispatcher,
  ) {}

  async tokenFor(tenantId: string, dapAccessToken: string): Promise<string> {
    const client = this.config.client;
    if (!client) return dapAccessToken;
    const key = `${tenantId}:${createHash('sha256').update(dapAccessToken).digest('base64url')}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires - EXPIRY_MARGIN_MS > Date.now()) return cached.token;
    let request = this.pending.get(key);
    if (!request) {
      request = this.request(tenantId, dapAccessToken, client).then(({ token, expires }) => {
        if (this.cache.size >= MAX_CACHED_TOKENS)
          this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { token, expires });
        return token;
      });
      request.finally(() => this.pending.delete(key)).catch(() => undefined);
      this.pending.set(key, request);
    }
    return request;
  }

  private async request(
    tenantId: string,
    assertion: string,
    client: NonNullable<EngineConfig['client']>,
  ): Promise<{ token: string; expires: number }> {
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: client.id,
      assertion,
      scope: 'https://graph.microsoft.com/.default',
      requested_token_use: 'on_behalf_of',
    });
    if (client.secret) form.set('client_secret', client.secret);
    const url = `${this.config.authorityUrl}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
    let status: number;
    let body: {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_codes?: unknown;
    };
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
      status = response.statusCode;
      body = (await response.body.json().catch(() => ({}))) as typeof body;
    } catch {
      throw new TokenRequestError(
        `The token endpoint could not be reached for tenant ${tenantId}.`,
      );
    }
    if (status < 200 || status > 299 || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
      const codes = Array.isArray(body.error_codes)
        ? ` (AADSTS${body.error_codes.join(', AADSTS')})`
        : '';
      throw new TokenRequestError(
        `The token endpoint refused a token for tenant ${tenantId}: ${code}${codes}.`,
      );
    }
    const lifetime = Number(body.expires_in);
    return {
      token: body.access_token,
      expires: Date.now() + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000,
    };
  }
}
