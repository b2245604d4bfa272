/** Who is calling, as a verified delegated token says: a user of a partner tenant, with scopes. */
export interface Caller {
  /** `tid`: the partner tenant, which is the only tenant whose operations the caller sees. */
  readonly tenantId: string;
  /** `oid`: the user. */
  readonly userId: string;
  /** `scp`: the delegated permissions granted. */
  readonly scopes: ReadonlySet<string>;
  /** `azp` (v2 tokens) or `appid` (v1): the client application, when the token names it. */
  readonly applicationId?: string;
  /** `upn` or `preferred_username`: the user's sign-in name, when the token says it. */
  readonly userPrincipalName?: string;
  /** The request the caller made, for the audit log (set per request; absent for jobs). */
  readonly origin?: RequestOrigin;
}

/** Where a request came from and what it asked, as the audit log records it. */
export interface RequestOrigin {
  readonly httpVerb: string;
  readonly requestUrl: string;
  readonly ipAddress: string;
  /** The request's client-request-id (or the id the service gave it). */
  readonly activityId: string;
}

/**
 * `caller` as the maker of a request that changes something, with where it came from: an object
 * of its own (the verified caller is shared by every request of its token). Every property is
 * named, not spread: V8 builds an object spread with a property added after it on a slow path, and
 * the callers it made cost every read that took one (docs/performance.md).
 */
export function callerWithOrigin(caller: Caller, origin: RequestOrigin): Caller {
  const copy: { readonly [Name in keyof Required<Caller>]: Caller[Name] } = {
    tenantId: caller.tenantId,
    userId: caller.userId,
    scopes: caller.scopes,
    applicationId: caller.applicationId,
    userPrincipalName: caller.userPrincipalName,
    origin,
  };
  return copy;
}

/** Delegated permissions of the managedTenants API family (shared/docs/MODEL.md). */
export const READ_SCOPES = ['ManagedTenants.Read.All', 'ManagedTenants.ReadWrite.All'] as const;
export const WRITE_SCOPES = ['ManagedTenants.ReadWrite.All'] as const;

export type Permission = 'read' | 'write';

export function scopesFor(permission: Permission): readonly string[] {
  return permission === 'read' ? READ_SCOPES : WRITE_SCOPES;
}
