import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { Entity, RowConstraint } from '../edm/entity';
import { EntityType } from '../edm/model';
import { CollectionRequest, EntityReadOptions } from '../odata/query/collection-request';
import { EntityExpander, ExpandedNavigation } from './entity-expander';
import { EntitySetRegistry } from './entity-set.registry';
import { readProjectionOf } from './read-projection';
import { EntityPage } from './entity-set.service';

/** A page of a collection read, with the related rows of its `$expand`. */
export interface CollectionPage extends EntityPage {
  readonly expansions?: readonly ExpandedNavigation[];
}

/** An entity read by key, with the related rows of its `$expand`. */
export interface EntityRead {
  readonly entity: Entity;
  readonly expansions?: readonly ExpandedNavigation[];
}

/**
 * Reads as OData answers them, for any entity set or navigation: a page (or an entity) and the
 * rows its `$expand` brings, from the sets' services. Writing them out is the responder's.
 */
@Injectable()
export class EntityReads {
  constructor(
    private readonly sets: EntitySetRegistry,
    private readonly expander: EntityExpander,
  ) {}

  async page(
    caller: Caller,
    type: EntityType,
    read: CollectionRequest,
    within?: RowConstraint,
  ): Promise<CollectionPage> {
    const page = await this.sets.serviceOf(type).list(caller, read, within);
    const expansions = await this.expander.related(caller, type, page.entities, read.expand);
    return { ...page, expansions };
  }

  /** The entity (404 when it is not the caller's) and, unless it is only checked, its `$expand`. */
  async one(
    caller: Caller,
    type: EntityType,
    id: string,
    options: EntityReadOptions,
    within?: RowConstraint,
  ): Promise<EntityRead> {
    const entity = await this.sets
      .serviceOf(type)
      .get(caller, id, within, readProjectionOf(type, options));
    return {
      entity,
      expansions: await this.expander.related(caller, type, [entity], options.expand),
    };
  }
}
