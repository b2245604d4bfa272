import { randomUUID } from 'node:crypto';
import { DuplicateEntityError, EntityStore, TenantScope } from '../database/stores/entity.store';
import { Entity } from '../edm/entity';
import { TenantProperties } from '../edm/model';
import { laterTimestamp, toUtcDateTimeOffset } from '../edm/primitive-formats';
import { CustomerContract } from '../integrations/graph/partner-customers';
import { Clock } from '../jobs/clock';

type Tenant = Entity<TenantProperties>;

/** The customers a listing has listed, kept in the database (TenantDirectoryStore). */
export interface ListedCustomers {
  /** Notes `tenantIds` as listed; the ones not listed before. */
  noteListed(listingId: string, tenantIds: readonly string[], now: number): Promise<string[]>;
  /** A page of the directory's customer ids (after `after`, in order) the listing did not list. */
  unlisted(
    partnerTenantId: string,
    listingId: string,
    after: string,
    limit: number,
  ): Promise<string[]>;
  forgetListing(listingId: string, staleBefore: number): Promise<void>;
}

/** Customers no longer listed, marked a page at a time. */
const UNLISTED_PAGE = 500;
/** A listing's notes older than this were left by one that never ended (its instance died). */
const ABANDONED_AFTER_MS = 24 * 60 * 60_000;

/** What a listing changed in the directory. */
export interface ListingCounts {
  readonly added: number;
  readonly changed: number;
  readonly gone: number;
}

/**
 * One listing of a partner's contracts, written into its directory page by page as it comes: a
 * customer not yet in it is added, one whose name, contract or status changed is updated, one
 * unchanged is not written (no change in the feed, no notification). When the whole listing is
 * in, the customers it no longer lists are kept with `delegatedPrivilegeStatus` `none`, never
 * deleted. What it has listed is noted in the database, not held here: a partner may have
 * hundreds of thousands of customers.
 */
export class DirectoryListing {
  private readonly id = randomUUID();
  private readonly scope: TenantScope;
  /** When the listing started (its notes' time). */
  private readonly now: number;
  /**
   * When the page being written was written: what its tenants' timestamps say. (Customers added
   * by one listing thus go in order at the end of the index by createdDateTime, not all at one
   * time and so at random places among one another.)
   */
  private at: string;
  private added = 0;
  private changed = 0;

  constructor(
    private readonly tenants: EntityStore<TenantProperties>,
    private readonly listed: ListedCustomers,
    private readonly partnerTenantId: string,
    private readonly clock: Clock,
  ) {
    this.scope = { tenantId: partnerTenantId };
    this.now = clock.now();
    this.at = toUtcDateTimeOffset(new Date(this.now));
  }

  async take(contracts: readonly CustomerContract[]): Promise<void> {
    if (contracts.length === 0) return;
    this.at = toUtcDateTimeOffset(new Date(this.clock.now()));
    const notListedBefore = new Set(
      await this.listed.noteListed(
        this.id,
        contracts.map((contract) => contract.tenantId),
        this.now,
      ),
    );
    const fresh = contracts.filter((contract) => notListedBefore.has(contract.tenantId));
    if (fresh.length === 0) return;
    const known = new Map(
      (
        await this.tenants.findByIds(
          this.scope,
          fresh.map((contract) => contract.tenantId),
        )
      ).map((tenant) => [tenant.id, tenant]),
    );
    const added: Tenant[] = [];
    for (const contract of fresh) {
      const current = known.get(contract.tenantId);
      if (!current) added.push(this.newTenant(contract));
      else if (this.differs(current, contract)) await this.change(contract);
    }
    await this.add(added);
  }

  /** The customers this listing did not list: kept, with no delegated privileges. */
  async finish(): Promise<ListingCounts> {
    this.at = toUtcDateTimeOffset(new Date(this.clock.now()));
    let gone = 0;
    try {
      for (let after = ''; ;) {
        const page = await this.listed.unlisted(
          this.partnerTenantId,
          this.id,
          after,
          UNLISTED_PAGE,
        );
        for (const id of page) if (await this.unlist(id)) gone += 1;
        if (page.length < UNLISTED_PAGE) break;
        after = page[page.length - 1];
      }
    } finally {
      await this.abandon();
    }
    return { added: this.added, changed: this.changed, gone };
  }

  /** A listing that will not finish (its contracts could not all be read): its notes go. */
  abandon(): Promise<void> {
    return this.listed.forgetListing(this.id, this.now - ABANDONED_AFTER_MS);
  }

  /** Marks a customer as no longer listed; whether it was listed until now. */
  private async unlist(id: string): Promise<boolean> {
    let unlisted = false;
    await this.tenants.update(this.scope, id, (current) => {
      if (current.properties.tenantStatusInformation?.delegatedPrivilegeStatus === 'none') {
        return current;
      }
      unlisted = true;
      return this.changedTenant(current, {
        tenantStatusInformation: {
          delegatedPrivilegeStatus: 'none',
          lastDelegatedPrivilegeRefreshDateTime: this.at,
          offboardedDateTime: this.at,
        },
      });
    });
    return unlisted;
  }

  private newTenant(contract: CustomerContract): Tenant {
    return {
      id: contract.tenantId,
      createdDateTime: this.at,
      lastModifiedDateTime: this.at,
      properties: {
        partnerTenantId: this.partnerTenantId,
        tenantId: contract.tenantId,
        displayName: contract.displayName,
        contract: contractOf(contract),
        tenantStatusInformation: this.listedStatus(),
        tags: [],
        lastUpdatedDateTime: this.at,
      },
      dynamicProperties: {},
    };
  }

  /** New customers in one statement; one another listing added meanwhile is changed instead. */
  private async add(added: Tenant[]): Promise<void> {
    if (added.length === 0) return;
    try {
      await this.tenants.insertMany(added);
      this.added += added.length;
      return;
    } catch {
      // Another listing of the same partner added some of them first: one by one.
    }
    for (const tenant of added) {
      try {
        await this.tenants.insert(this.scope, tenant);
        this.added += 1;
      } catch (error) {
        if (!(error instanceof DuplicateEntityError)) throw error;
        await this.change(listedContractOf(tenant));
      }
    }
  }

  private async change(contract: CustomerContract): Promise<void> {
    await this.tenants.update(this.scope, contract.tenantId, (current) => {
      if (!this.differs(current, contract)) return current;
      this.changed += 1;
      return this.changedTenant(current, {
        displayName: contract.displayName,
        contract: contractOf(contract),
        tenantStatusInformation: listed(current)
          ? current.properties.tenantStatusInformation
          : this.listedStatus(),
      });
    });
  }

  private differs(current: Tenant, contract: CustomerContract): boolean {
    const now = contractOf(contract);
    const was = current.properties.contract;
    return (
      !listed(current) ||
      current.properties.displayName !== contract.displayName ||
      (was?.displayName ?? null) !== now.displayName ||
      (was?.defaultDomainName ?? null) !== now.defaultDomainName ||
      (was?.contractType ?? null) !== now.contractType
    );
  }

  private changedTenant(current: Tenant, changes: Partial<TenantProperties>): Tenant {
    return {
      ...current,
      lastModifiedDateTime: laterTimestamp(current.lastModifiedDateTime),
      properties: { ...current.properties, ...changes, lastUpdatedDateTime: this.at },
    };
  }

  private listedStatus(): NonNullable<TenantProperties['tenantStatusInformation']> {
    return {
      delegatedPrivilegeStatus: 'delegatedAdminPrivileges',
      lastDelegatedPrivilegeRefreshDateTime: this.at,
      offboardedDateTime: null,
    };
  }
}

function listed(tenant: Tenant): boolean {
  const status = tenant.properties.tenantStatusInformation?.delegatedPrivilegeStatus;
  return status !== undefined && status !== null && status !== 'none';
}

function contractOf(contract: CustomerContract): NonNullable<TenantProperties['contract']> {
  return {
    contractType: contract.contractType,
    defaultDomainName: contract.defaultDomainName,
    displayName: contract.displayName,
  };
}

function listedContractOf(tenant: Tenant): CustomerContract {
  return {
    tenantId: tenant.id,
    displayName: tenant.properties.displayName ?? tenant.id,
    defaultDomainName: tenant.properties.contract?.defaultDomainName ?? null,
    contractType: tenant.properties.contract?.contractType ?? null,
  };
}
