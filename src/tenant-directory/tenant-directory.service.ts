import { Inject, Injectable } from '@nestjs/common';
import { EntityStore } from '../database/stores/entity.store';
import {
  ClaimedRefresh,
  RefreshOutcome,
  TenantDirectoryStore,
} from '../database/stores/tenant-directory.store';
import { tenant, TenantProperties } from '../edm/model';
import { entityStoreToken } from '../entity-sets/entity-set.tokens';
import { GraphCallError } from '../integrations/graph/graph-client';
import { PartnerCustomers } from '../integrations/graph/partner-customers';
import { secretsOf, TokenRequestError } from '../integrations/graph/tenant-tokens';
import { AppConfigService } from '../config/app-config.service';
import { CLOCK, Clock } from '../jobs/clock';
import { redactSecrets } from '../common/redaction';
import { DirectoryListing, ListingCounts } from './directory-listing';

/**
 * The partners' directories of customer tenants: a refresh (the partner's contracts listed into
 * its directory), and a listing that an `allTenants` run makes anyway.
 */
@Injectable()
export class TenantDirectory {
  constructor(
    private readonly store: TenantDirectoryStore,
    @Inject(entityStoreToken(tenant)) private readonly tenants: EntityStore<TenantProperties>,
    private readonly customers: PartnerCustomers,
    private readonly config: AppConfigService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A listing of the partner's contracts into its directory, page by page. */
  listing(partnerTenantId: string): DirectoryListing {
    return new DirectoryListing(this.tenants, this.store, partnerTenantId, this.clock);
  }

  /** Refreshes a claimed directory from the partner's contracts; says how it went. */
  async refresh(claim: ClaimedRefresh): Promise<RefreshOutcome & { counts?: ListingCounts }> {
    const { dapAccessToken, refreshToken } = claim.credentials;
    // A dapAccessToken sent with the request goes first: it is what the partner just gave.
    const credentials = dapAccessToken ? { dapAccessToken } : { refreshToken };
    let rotated: string | undefined;
    const interval = this.config.values.directory.refreshIntervalMs;
    const keepsRefreshToken = Boolean(refreshToken);
    const nextDueAt = () => (keepsRefreshToken ? this.clock.now() + interval : null);
    if (!credentials.dapAccessToken && !credentials.refreshToken) {
      return {
        at: this.clock.now(),
        nextDueAt: null,
        error:
          'No credentials to refresh the directory with: send a dapAccessToken or a refreshToken.',
      };
    }
    const listing = this.listing(claim.partnerTenantId);
    try {
      await this.customers.list(
        claim.partnerTenantId,
        {
          ...credentials,
          keepRefreshToken: (next) => {
            rotated = next;
          },
        },
        async () => undefined,
        (page) => listing.take(page.contracts),
      );
      const counts = await listing.finish();
      return { at: this.clock.now(), nextDueAt: nextDueAt(), rotatedRefreshToken: rotated, counts };
    } catch (error) {
      await listing.abandon();
      if (!(error instanceof GraphCallError || error instanceof TokenRequestError)) throw error;
      const refused =
        error instanceof TokenRequestError && error.grantRefused && !credentials.dapAccessToken;
      const secrets = [...secretsOf(credentials), ...this.serviceSecrets()];
      return {
        at: this.clock.now(),
        nextDueAt: refused ? null : nextDueAt(),
        forgetRefreshToken: refused,
        error: refused
          ? `The token endpoint refused the kept refresh token: ${redactSecrets(error.message, secrets)} Refresh the directory again with new credentials.`
          : redactSecrets(error.message, secrets),
      };
    }
  }

  private serviceSecrets(): string[] {
    const secret = this.config.values.engine.client?.secret;
    return secret ? [secret] : [];
  }
}
