import { Inject, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_ROOT_PATH, serviceRootUrl } from '../common/service-root';
import { AppConfigService } from '../config/app-config.service';
import { Entity, entityTagOf } from '../edm/entity';
import { EntityType, keyValueOf } from '../edm/model';
import { MetadataLevel } from '../edm/representation';
import { odataJsonContentType } from '../odata/format';
import { parsePrefer } from '../odata/prefer';
import { conditionMatches, parseEntityTagCondition } from '../odata/preconditions';
import { DeltaRequest, DeltaRequestReader } from '../odata/query/delta-request';
import { EntityRepresentation, RepresentationContext } from './entity-representation';
import { DeltaPage } from './delta-pages';
import { CollectionPage, EntityRead } from './entity-reads.service';
import { ExpandedNavigation } from './entity-expander';
import { CollectionRequest, EntityReadOptions } from '../odata/query/collection-request';
import { PagePosition } from '../odata/query/skip-token';

/** How a collection's nextLink continues: its path and its reader's skiptoken. */
export interface PagePath {
  /** From the service root: `managedTenantOperations`, `managedTenantOperations('…')/results`. */
  readonly path: string;
  readonly skipTokenOf: (position: PagePosition) => string;
}

/**
 * The HTTP side of answering with entities, shared by the controllers of every entity set and
 * navigation: Content-Type by metadata level, ETag, `Prefer: return=minimal`, context URLs and
 * nextLinks.
 */
@Injectable()
export class EntityResponder {
  private readonly representations = new Map<string, EntityRepresentation>();

  constructor(@Inject(AppConfigService) private readonly config: AppConfigService) {}

  representationOf(entity: EntityType): EntityRepresentation {
    let representation = this.representations.get(entity.name);
    if (!representation) {
      representation = new EntityRepresentation(entity);
      this.representations.set(entity.name, representation);
    }
    return representation;
  }

  serviceRoot(request: FastifyRequest): string {
    return serviceRootUrl(request, this.config.values.publicBaseUrl);
  }

  /** Sends a JSON body with the Content-Type of its metadata level. */
  json<T>(reply: FastifyReply, level: MetadataLevel, body: T): T {
    reply.type(odataJsonContentType(level));
    return body;
  }

  /**
   * Sets the entity's ETag, and answers 304 when If-None-Match still matches it: true when the
   * answer is that 304 and has no body.
   */
  notModified(entity: Entity, request: FastifyRequest, reply: FastifyReply): boolean {
    const etag = entityTagOf(entity);
    reply.header('ETag', etag);
    const unlessMatch = parseEntityTagCondition(request.headers['if-none-match']);
    if (!unlessMatch || !conditionMatches(unlessMatch, etag)) return false;
    reply.status(304);
    return true;
  }

  /** The answer to PATCH and PUT: the ETag, and the entity, or 204 with Prefer: return=minimal. */
  changed(
    type: EntityType,
    entity: Entity,
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> | undefined {
    reply.header('ETag', entityTagOf(entity));
    if (parsePrefer(request.headers.prefer).return === 'minimal') {
      reply.status(204).header('Preference-Applied', 'return=minimal');
      return undefined;
    }
    const context: RepresentationContext = { serviceRoot: this.serviceRoot(request), level };
    return this.json(reply, level, this.representationOf(type).single(entity, context));
  }

  /**
   * The answer to a create: 201 (200 for a retried create, with what the first one created),
   * Location and ETag; 204 with OData-EntityId on `Prefer: return=minimal` (OData Protocol 4.01
   * §8.2.8.7 and §11.4.2).
   */
  created(
    type: EntityType,
    outcome: { entity: Entity; created: boolean },
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> | undefined {
    const root = this.serviceRoot(request);
    const representation = this.representationOf(type);
    const url = representation.url(root, outcome.entity.id);
    reply.header('Location', url).header('ETag', entityTagOf(outcome.entity));
    if (parsePrefer(request.headers.prefer).return === 'minimal') {
      reply
        .status(204)
        .header('OData-EntityId', url)
        .header('Preference-Applied', 'return=minimal');
      return undefined;
    }
    reply.status(outcome.created ? 201 : 200);
    return this.json(
      reply,
      level,
      representation.single(outcome.entity, { serviceRoot: root, level }),
    );
  }

  /**
   * The answer to a collection read: the page with its `$expand`, `@odata.count` when asked
   * for, the nextLink, and `Preference-Applied` when a page size was preferred.
   */
  collection(
    type: EntityType,
    at: PagePath,
    read: CollectionRequest,
    page: CollectionPage,
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> {
    if (read.pageSizePreferred) {
      reply.header('Preference-Applied', `odata.maxpagesize=${read.pageSize}`);
    }
    const nextLink = page.next
      ? this.nextLink(at.path, read.nextLinkOptions, at.skipTokenOf(page.next))
      : undefined;
    const serviceRoot = this.serviceRoot(request);
    const context: RepresentationContext = {
      serviceRoot,
      level,
      select: read.query.select,
      selectText: read.selectText,
      expand: read.expand,
      expanded: this.expanded(type, page.expansions, { serviceRoot, level }),
      // A contained type has no entity set: its context names the container's navigation.
      collectionPath: type.containedBy ? at.path : undefined,
    };
    return this.json(
      reply,
      level,
      this.representationOf(type).page(page.entities, context, page.count, nextLink),
    );
  }

  /** The answer to a read by key: the entity with its `$expand`, and its ETag. */
  entity(
    type: EntityType,
    read: EntityRead,
    options: EntityReadOptions,
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> | undefined {
    if (this.notModified(read.entity, request, reply)) return undefined;
    const serviceRoot = this.serviceRoot(request);
    const context: RepresentationContext = {
      serviceRoot,
      level,
      ...options,
      expanded: this.expanded(type, read.expansions, { serviceRoot, level }),
    };
    return this.json(reply, level, this.representationOf(type).single(read.entity, context));
  }

  /**
   * Each entity's share of the expanded rows, represented with the navigation's nested
   * `$select`: at most `$top` items; when the cap (not `$top`) cut a collection,
   * `<name>@odata.nextLink` leads to the rest through the navigation's URL.
   */
  private expanded(
    type: EntityType,
    expansions: readonly ExpandedNavigation[] | undefined,
    context: { readonly serviceRoot: string; readonly level: MetadataLevel },
  ): RepresentationContext['expanded'] {
    if (!expansions) return undefined;
    const principal = this.representationOf(type);
    return (found) => {
      const body: Record<string, unknown> = {};
      for (const { item, related } of expansions) {
        const representation = this.representationOf(item.target);
        const { foreignKey, collection } = item.navigation;
        if (!collection && foreignKey) {
          // To one: the entity it names, or null when there is none (a loose reference).
          const row = related.rows.get(String(found.properties[foreignKey]))?.[0];
          body[item.name] = row
            ? representation.entity(row, {
                serviceRoot: context.serviceRoot,
                level: context.level,
                select: item.query.select,
              })
            : null;
          continue;
        }
        const rows = related.rows.get(found.id) ?? [];
        const truncated = rows.length > item.top;
        if (related.counts) body[`${item.name}@odata.count`] = related.counts.get(found.id) ?? 0;
        body[item.name] = rows.slice(0, item.top).map((row) =>
          representation.entity(row, {
            serviceRoot: context.serviceRoot,
            level: context.level,
            select: item.query.select,
          }),
        );
        if (truncated) {
          const path = `${principal.url('', found.id).slice(1)}/${item.name}`;
          const rest = [
            ...item.options.filter(([option]) => option !== '$skip'),
            ['$skip', String((item.query.skip ?? 0) + item.top)] as const,
          ];
          body[`${item.name}@odata.nextLink`] = this.nextLink(path, rest);
        }
      }
      return body;
    };
  }

  /** The answer to a delta query at `path` (from the service root): links signed by `reader`. */
  delta(
    type: EntityType,
    path: string,
    read: DeltaRequest,
    reader: DeltaRequestReader,
    page: DeltaPage,
    level: MetadataLevel,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Record<string, unknown> {
    if (read.pageSizePreferred) {
      reply.header('Preference-Applied', `odata.maxpagesize=${read.pageSize}`);
    }
    const links = {
      next: page.next ? this.nextLink(path, [], reader.encode(read, page.next)) : undefined,
      delta: page.deltaLink
        ? this.nextLink(path, [['$deltatoken', reader.encode(read, page.deltaLink)]])
        : undefined,
    };
    const context = {
      serviceRoot: this.serviceRoot(request),
      level,
      select: read.select,
      selectText: read.selectText,
      // A contained type's collection is its container's navigation (`path` ends in /delta).
      collectionPath: type.containedBy ? path.replace(/\/delta$/, '') : undefined,
    };
    return this.json(reply, level, this.deltaPage(type, page, context, links));
  }

  /**
   * A page of a delta query (OData JSON 4.01 §15): the context URL's `/$delta`, the changed
   * entities, the deleted ones as `{"id", "@removed": {"reason": "deleted"}}` (Microsoft
   * Graph's shape), and a nextLink or a deltaLink.
   */
  deltaPage(
    type: EntityType,
    page: { readonly entities: readonly Entity[]; readonly removed: readonly string[] },
    context: RepresentationContext,
    links: { readonly next?: string; readonly delta?: string },
  ): Record<string, unknown> {
    const body = this.representationOf(type).page(page.entities, context, undefined, links.next);
    if (typeof body['@odata.context'] === 'string') body['@odata.context'] += '/$delta';
    (body.value as unknown[]).push(
      ...page.removed.map((id) => ({
        [type.key]: keyValueOf(type, id),
        '@removed': { reason: 'deleted' },
      })),
    );
    if (links.delta !== undefined) body['@odata.deltaLink'] = links.delta;
    return body;
  }

  /**
   * The next page's URL: `path` (from the service root) with the same options plus `$skiptoken`.
   * Relative to the service root by default (OData JSON 4.01 §4.6 resolves it against the context
   * URL; the Graph JS SDK's PageIterator mistakes an absolute http:// link for a path), absolute
   * on PUBLIC_BASE_URL.
   */
  nextLink(
    path: string,
    options: ReadonlyArray<readonly [string, string]>,
    skipToken?: string,
  ): string {
    const all =
      skipToken === undefined ? options : [...options, ['$skiptoken', skipToken] as const];
    const query = all.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
    const target = query ? `${path}?${query}` : path;
    const base = this.config.values.publicBaseUrl;
    return base ? `${base}${SERVICE_ROOT_PATH}/${target}` : target;
  }
}
