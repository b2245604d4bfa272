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
}

/** Delegated permissions of the managedTenants API family (shared/docs/MODEL.md). */
export const READ_SCOPES = ['ManagedTenants.Read.All', 'ManagedTenants.ReadWrite.All'] as const;
export const WRITE_SCOPES = ['ManagedTenants.ReadWrite.All'] as const;

export type Permission = 'read' | 'write';

export function scopesFor(permission: Permission): readonly string[] {
  return permission === 'read' ? READ_SCOPES : WRITE_SCOPES;
}
