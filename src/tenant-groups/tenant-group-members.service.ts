import { Inject, Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { entityTagOf } from '../edm/entity';
import { tenant, tenantGroup, TenantGroupProperties } from '../edm/model';
import { CollectionPage, EntityReads } from '../entity-sets/entity-reads.service';
import { EntitySetRegistry } from '../entity-sets/entity-set.registry';
import { collectionReaderToken } from '../entity-sets/entity-set.tokens';
import { CollectionRequest, CollectionRequestReader } from '../odata/query/collection-request';
import { GroupMembership } from './group-membership';

/** A page of a group's members, and the read it answers (for its links). */
export interface MembersPage {
  readonly read: CollectionRequest;
  readonly page: CollectionPage;
  readonly reader: CollectionRequestReader;
}

/**
 * The tenants a group holds now, as a collection of the directory's tenants with every query
 * option (the request's `$filter` and the group's membership both apply). A page's skiptoken is
 * bound to the group's version: a group changed between pages starts over.
 */
@Injectable()
export class TenantGroupMembers {
  constructor(
    private readonly sets: EntitySetRegistry,
    private readonly reads: EntityReads,
    private readonly membership: GroupMembership,
    @Inject(collectionReaderToken(tenant)) private readonly reader: CollectionRequestReader,
  ) {}

  /**
   * The members read as the request asks: the directory's tenants with the group's membership as
   * a filter (`nobody`: a group that holds no one, read as no rows).
   */
  async request(
    caller: Caller,
    groupId: string,
    rawQuery: string,
    preferredPageSize: number | undefined,
  ): Promise<{ read: CollectionRequest; nobody: boolean }> {
    const group = await this.sets
      .serviceOf<TenantGroupProperties>(tenantGroup)
      .get(caller, groupId);
    const scope = `${caller.tenantId}/tenantGroups/${groupId}/${entityTagOf(group)}`;
    const read = this.reader.read(rawQuery, scope, preferredPageSize);
    const membership = this.membership.of(group.properties);
    if (membership.kind === 'nobody') return { read: { ...read, remaining: 0 }, nobody: true };
    if (membership.kind === 'everyone') return { read, nobody: false };
    const filter = read.query.filter
      ? {
          kind: 'logical' as const,
          operator: 'and' as const,
          left: membership.filter,
          right: read.query.filter,
        }
      : membership.filter;
    return { read: { ...read, query: { ...read.query, filter } }, nobody: false };
  }

  /** A page of the members the request asks for. */
  async page(
    caller: Caller,
    { read, nobody }: { read: CollectionRequest; nobody: boolean },
  ): Promise<MembersPage> {
    if (nobody) {
      return {
        read,
        reader: this.reader,
        page: { entities: [], count: read.query.count ? 0 : undefined },
      };
    }
    return { read, reader: this.reader, page: await this.reads.page(caller, tenant, read) };
  }
}
