import { EntityStore } from '../../database/stores/entity.store';
import { Entity } from '../../edm/entity';
import { laterTimestamp } from '../../edm/primitive-formats';
import { ManagedTenantOperationProperties } from '../../edm/model';
import { DelegatedCredentials } from '../../integrations/graph/tenant-tokens';
import { Clock } from '../../jobs/clock';

/** A rotated refresh token is written to its operation at most this often. */
const KEEP_INTERVAL_MS = 60_000;

/**
 * An operation's delegated credentials as the engine uses them. A refresh token the token endpoint
 * rotates is written back to the operation (encrypted, as every secret), at most once a minute per
 * operation (a run over thousands of tenants gets a new one with each token), and only over the
 * one it replaces: a token the partner PATCHed meanwhile stays.
 */
export class OperationCredentials {
  private readonly lastKept = new Map<string, number>();

  constructor(
    private readonly operations: EntityStore<ManagedTenantOperationProperties>,
    private readonly clock: Clock,
  ) {}

  of(operation: Entity<ManagedTenantOperationProperties>): DelegatedCredentials {
    const credentials = operation.properties.credentials ?? {};
    const refreshToken = credentials.refreshToken ?? undefined;
    return {
      dapAccessToken: credentials.dapAccessToken ?? undefined,
      refreshToken,
      keepRefreshToken: refreshToken
        ? (next) => void this.keep(operation, refreshToken, next).catch(() => undefined)
        : undefined,
    };
  }

  private async keep(
    operation: Entity<ManagedTenantOperationProperties>,
    previous: string,
    next: string,
  ): Promise<void> {
    const now = this.clock.now();
    if (now - (this.lastKept.get(operation.id) ?? -Infinity) < KEEP_INTERVAL_MS) return;
    this.lastKept.set(operation.id, now);
    if (this.lastKept.size > 10_000) this.lastKept.clear();
    await this.operations.update(
      { tenantId: operation.properties.partnerTenantId! },
      operation.id,
      (current) =>
        current.properties.credentials?.refreshToken !== previous
          ? current
          : {
              ...current,
              lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
              properties: {
                ...current.properties,
                credentials: { ...current.properties.credentials, refreshToken: next },
              },
            },
    );
  }
}
