import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  JSONWebKeySet,
  JWTPayload,
  jwtVerify,
  JWTVerifyGetKey,
} from 'jose';
import { readFileSync } from 'node:fs';
import { AuthenticationError } from '../common/errors';
import { AuthConfig } from '../config/app-config';
import { isGuid } from '../edm/primitive-formats';
import { Caller } from './caller';
import { DevelopmentKey } from './development-issuer';

/** Signature algorithms we accept: asymmetric only, so no `none` and no HMAC-with-a-public-key. */
const ALGORITHMS = ['RS256', 'ES256'];
const CLOCK_TOLERANCE_SECONDS = 60;

type KeySet = JWTVerifyGetKey;

/**
 * Verifies bearer tokens with jose (signature, issuer, audience, exp/nbf with 60 s leeway) and
 * turns their claims into a Caller. Tokens are never decoded and trusted.
 */
export class TokenVerifier {
  /**
   * Tokens already verified, until they expire (at most 5 minutes): a client sends the same token
   * on every request, and verifying its signature again each time is most of a read's cost.
   * A token is immutable, so the cache can only hold what a fresh verification would say.
   */
  private readonly verified = new Map<string, { caller: Caller; until: number }>();

  private constructor(
    private readonly keys: KeySet,
    private readonly issuer: string,
    private readonly audience: string,
    /** What to tell a caller whose token is signed by a key this service does not trust. */
    private readonly untrustedKeyHint: string,
  ) {}

  static create(auth: AuthConfig, developmentKey?: DevelopmentKey): TokenVerifier {
    let keys: KeySet;
    if (auth.mode === 'development') {
      if (!developmentKey) throw new Error('The development issuer needs its key.');
      keys = createLocalJWKSet({ keys: [developmentKey.publicJwk] });
    } else if (auth.jwksUri) {
      // Cached; fetched again when a token names a key id it does not know (key rotation).
      keys = createRemoteJWKSet(new URL(auth.jwksUri), {
        cooldownDuration: auth.jwksCooldownMs,
        cacheMaxAge: 600_000,
      });
    } else {
      keys = createLocalJWKSet(JSON.parse(readFileSync(auth.jwksFile!, 'utf8')) as JSONWebKeySet);
    }
    return new TokenVerifier(
      keys,
      auth.issuer,
      auth.audience,
      auth.mode === 'development'
        ? 'a development token must come from `npm run token` with the same DATABASE_PATH or DEVELOPMENT_ISSUER_KEY as the service'
        : "the token must be signed by one of the issuer's published keys",
    );
  }

  /**
   * The caller of an `Authorization` header whose token was verified before and has not expired
   * since, without waiting for a promise: a client's every request but the first.
   */
  knownCaller(authorization: string | undefined): Caller | undefined {
    if (authorization === undefined) return undefined;
    const header = authorization.trim();
    // Only tokens that passed verify() are cached, so the prefix is all there is to check here.
    if (
      header.length <= BEARER_PREFIX.length ||
      header.slice(0, BEARER_PREFIX.length).toLowerCase() !== BEARER_PREFIX
    )
      return undefined;
    const cached = this.verified.get(header.slice(BEARER_PREFIX.length));
    return cached && cached.until > Date.now() ? cached.caller : undefined;
  }

  /** The caller of an `Authorization` header, or an AuthenticationError saying why not (for the log). */
  async verify(authorization: string | undefined): Promise<Caller> {
    if (!authorization)
      throw new AuthenticationError('Access token is empty.', 'no Authorization header', false);
    const match = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(authorization.trim());
    if (!match) {
      throw new AuthenticationError(
        'Access token is empty.',
        'the Authorization header is not a Bearer token',
        false,
      );
    }
    const token = match[1];
    const cached = this.verified.get(token);
    if (cached && cached.until > Date.now()) return cached.caller;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'aud'],
      }));
    } catch (error) {
      throw new AuthenticationError(
        graphMessage(error, this.untrustedKeyHint),
        describe(error),
        true,
      );
    }
    const caller = callerOf(payload);
    this.remember(token, caller, (payload.exp ?? 0) * 1000);
    return caller;
  }

  private remember(token: string, caller: Caller, expiresAt: number): void {
    if (this.verified.size >= MAX_CACHED_TOKENS) {
      // Maps iterate in insertion order: drop the oldest entry.
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, { caller, until: Math.min(expiresAt, Date.now() + MAX_CACHE_MS) });
  }
}

const BEARER_PREFIX = 'bearer ';
const MAX_CACHED_TOKENS = 10_000;
const MAX_CACHE_MS = 5 * 60_000;

function callerOf(payload: JWTPayload): Caller {
  const { tid, oid, scp, azp, appid, upn, preferred_username } = payload as JWTPayload & {
    tid?: unknown;
    oid?: unknown;
    scp?: unknown;
    azp?: unknown;
    appid?: unknown;
    upn?: unknown;
    preferred_username?: unknown;
  };
  if (!isGuid(tid))
    throw new AuthenticationError(
      'Access token validation failure.',
      'the token has no tid (tenant) GUID',
      true,
    );
  if (oid !== undefined && !isGuid(oid)) {
    throw new AuthenticationError(
      'Access token validation failure.',
      'the oid claim is not a GUID',
      true,
    );
  }
  const scopes = typeof scp === 'string' ? scp.split(' ').filter(Boolean) : [];
  return {
    tenantId: tid.toLowerCase(),
    userId: typeof oid === 'string' ? oid.toLowerCase() : '',
    scopes: new Set(scopes),
    applicationId: applicationIdOf(azp ?? appid),
    userPrincipalName: userPrincipalNameOf(upn ?? preferred_username),
  };
}

/** The user's sign-in name (`upn`, or v2's `preferred_username`), for audit events. */
function userPrincipalNameOf(claim: unknown): string | undefined {
  return typeof claim === 'string' && claim.length > 0 && claim.length <= 256 ? claim : undefined;
}

/** A client application id as Entra ID writes it (a GUID), or none. */
function applicationIdOf(claim: unknown): string | undefined {
  return isGuid(claim) ? claim.toLowerCase() : undefined;
}

/** What Microsoft Graph says for each kind of failure: no more detail than that. */
function graphMessage(error: unknown, untrustedKeyHint: string): string {
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  ) {
    return `Access token validation failure: the token is signed by a key this service does not trust; ${untrustedKeyHint}.`;
  }
  if (error instanceof errors.JWTExpired)
    return 'Lifetime validation failed, the token is expired.';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return 'Access token validation failure. Invalid audience.';
  }
  return 'Access token validation failure.';
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
