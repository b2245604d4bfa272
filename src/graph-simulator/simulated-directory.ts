import { createHash } from 'node:crypto';

/**
 * The Graph stand-in's data (graph-simulator.ts): the partners' contracts (each customer's name,
 * domain and contract type) and each customer
 * tenant's users and groups, the same in every run, and what tests change of them between runs.
 */

/**
 * How a tenant's users changed since they were seeded, as a directory changes between two runs
 * of an operation: users added after the seeded ones, seeded users removed, users renamed.
 */
export interface DirectoryChanges {
  addedUsers: number;
  readonly removedUsers: Set<number>;
  readonly renamedUsers: Map<number, string>;
}

/** A GUID derived from a name, so that tenants and users are the same in every run. */
export function tenantIdOf(kind: string, index: number): string {
  const hex = createHash('sha256').update(`${kind}:${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The customer tenants a simulator started with `tenants: count` serves, in order. */
export function customerTenantIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => tenantIdOf('customer', index));
}

export interface GraphUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
}

/** The tenants' data, and its changes since it was seeded. */
export class SimulatedDirectory {
  private readonly changes = new Map<string, DirectoryChanges>();
  private readonly createdGroups = new Map<string, Array<Record<string, unknown>>>();
  private readonly allContracts: ReadonlyArray<Record<string, unknown>>;
  /** Customers whose contract ended: `/contracts` no longer lists them. */
  readonly endedContracts = new Set<string>();
  /** The customers a partner's `/contracts` lists, when not every one (by partner tenant id). */
  readonly partnerCustomers = new Map<string, readonly string[]>();

  constructor(
    private readonly customers: readonly string[],
    private readonly usersPerTenant: number,
  ) {
    this.allContracts = customers.map((customerId, index) => ({
      id: tenantIdOf('contract', index),
      // Most customers buy through the partner; every third is syndicated.
      contractType: index % 3 === 2 ? 'SyndicationPartner' : 'ResellerPartner',
      customerId,
      defaultDomainName: `tenant${index + 1}.onmicrosoft.com`,
      displayName: `Customer ${index + 1}`,
    }));
  }

  /** The contracts `/contracts` lists in a partner tenant. */
  contractsOf(partnerTenantId: string): ReadonlyArray<Record<string, unknown>> {
    const only = this.partnerCustomers.get(partnerTenantId);
    return this.allContracts.filter(
      (contract) =>
        !this.endedContracts.has(contract.customerId as string) &&
        (!only || only.includes(contract.customerId as string)),
    );
  }

  changesOf(tenantId: string): DirectoryChanges {
    let found = this.changes.get(tenantId);
    if (!found) {
      found = { addedUsers: 0, removedUsers: new Set(), renamedUsers: new Map() };
      this.changes.set(tenantId, found);
    }
    return found;
  }

  usersOf(tenantId: string): GraphUser[] {
    const index = this.customers.indexOf(tenantId);
    const changes = this.changes.get(tenantId);
    return Array.from({ length: this.usersPerTenant + (changes?.addedUsers ?? 0) }, (_, user) => ({
      id: tenantIdOf(`user:${tenantId}`, user),
      displayName: changes?.renamedUsers.get(user) ?? `User ${user + 1} of tenant ${index + 1}`,
      userPrincipalName: `user${user + 1}@tenant${index + 1}.onmicrosoft.com`,
      accountEnabled: user % 5 !== 4,
    })).filter((_, user) => !changes?.removedUsers.has(user));
  }

  groupsOf(tenantId: string): Array<Record<string, unknown>> {
    return [
      { id: tenantIdOf(`group:${tenantId}`, 0), displayName: 'Admins', mailEnabled: false },
      { id: tenantIdOf(`group:${tenantId}`, 1), displayName: 'Everyone', mailEnabled: true },
      ...(this.createdGroups.get(tenantId) ?? []),
    ];
  }

  addGroup(tenantId: string, group: Record<string, unknown>): Record<string, unknown> {
    const created = { id: tenantIdOf(`created:${tenantId}`, Date.now()), ...group };
    this.createdGroups.set(tenantId, [...(this.createdGroups.get(tenantId) ?? []), created]);
    return created;
  }
}
