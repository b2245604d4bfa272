/**
 * The person's access token: in memory, and in this tab's session storage so that a reload keeps
 * them signed in (never in local storage, never in a URL). Closing the tab forgets it.
 */
const KEY = 'managed-tenant-operations.token';

export interface SessionToken {
  readonly accessToken: string;
  /** Whom it names, for the header: the tenant and user ids from the token's claims. */
  readonly tenantId?: string;
  readonly userId?: string;
  readonly expiresAt?: number;
}

let current: SessionToken | undefined;

export function restoreSession(): SessionToken | undefined {
  if (current) return current;
  try {
    const stored = sessionStorage.getItem(KEY);
    if (stored) current = describeToken(stored);
  } catch {
    // Storage blocked: memory only.
  }
  if (current?.expiresAt && current.expiresAt < Date.now()) endSession();
  return current;
}

export function startSession(accessToken: string): SessionToken {
  current = describeToken(accessToken.trim().replace(/^Bearer\s+/i, ''));
  try {
    sessionStorage.setItem(KEY, current.accessToken);
  } catch {
    // Storage blocked: memory only.
  }
  return current;
}

export function endSession(): void {
  current = undefined;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}

export function sessionToken(): string | undefined {
  return current?.accessToken;
}

/** The claims the header shows; the token is not checked here (the API does that). */
export function describeToken(accessToken: string): SessionToken {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { tid?: string; oid?: string; exp?: number };
    return {
      accessToken,
      tenantId: claims.tid,
      userId: claims.oid,
      expiresAt: claims.exp ? claims.exp * 1000 : undefined,
    };
  } catch {
    return { accessToken };
  }
}
