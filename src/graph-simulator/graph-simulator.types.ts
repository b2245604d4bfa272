/** The Graph stand-in's options and what a running one offers its tests (graph-simulator.ts). */
import { DirectoryChanges } from './simulated-directory';

export interface SimulatorOptions {
  /** Customer tenants of the partner (`/v1.0/contracts`). */
  readonly tenants?: number;
  /** The most contracts one page of `/contracts` holds, whatever `$top` asks (Graph may page below it). */
  readonly contractsPageSize?: number;
  /** Users seeded in each tenant. */
  readonly usersPerTenant?: number;
  /** Milliseconds every Graph call takes (the token endpoint answers at once). */
  readonly latencyMs?: number;
  /** The client secret the token endpoint requires, if any. */
  readonly clientSecret?: string;
  /** Random faults: the share of Graph calls that get each. */
  readonly throttleRate?: number;
  readonly serverErrorRate?: number;
  readonly timeoutRate?: number;
  /** The first N customer tenants answer every call with 403. */
  readonly forbiddenTenants?: number;
  /** Retry-After (seconds) of a 429. */
  readonly retryAfterSeconds?: number;
  /** Token lifetime, in seconds. */
  readonly tokenLifetimeSeconds?: number;
}

/** Faults scheduled for one tenant: the next N calls get each (counted down), or always. */
export interface TenantFaults {
  throttle?: number;
  serverErrors?: number;
  timeouts?: number;
  forbidden?: boolean;
  tokenError?: string;
  /** Collection pages carry an `@odata.nextLink` to another host (a client must not follow it). */
  foreignNextLink?: boolean;
}

/** A Graph call the simulator answered, for tests to inspect. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly tenantId: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly status: number;
}

export interface RunningSimulator {
  readonly url: string;
  readonly port: number;
  readonly partnerTenantId: string;
  readonly customerTenantIds: readonly string[];
  /** Graph calls answered so far (the newest 10,000). */
  readonly calls: RecordedCall[];
  /** Tokens issued by the token endpoint so far. */
  readonly issuedTokens: string[];
  /** Token requests, with their (form) parameters, the assertion included. */
  readonly tokenRequests: Array<Record<string, string>>;
  /** Refresh tokens the token endpoint refuses (`invalid_grant`), as a user's revoked ones. */
  readonly revokedRefreshTokens: Set<string>;
  /** Customers whose contract ended: `/contracts` no longer lists them. */
  readonly endedContracts: Set<string>;
  /** The customers a partner's `/contracts` lists, when not every one (by partner tenant id). */
  readonly partnerCustomers: Map<string, readonly string[]>;
  faultsOf(tenantId: string): TenantFaults;
  /** The changes of a tenant's users, to edit (they apply to the next calls). */
  directoryOf(tenantId: string): DirectoryChanges;
  setLatency(ms: number): void;
  /** The most Graph calls that were in flight at once. */
  peakInFlight(): number;
  close(): Promise<void>;
}
