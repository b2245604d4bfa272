import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { Entity } from '../edm/entity';
import { EntityType } from '../edm/model';
import { RelatedRows } from '../database/stores/entity.store';
import { ExpandItem } from '../odata/query/expand';
import { EntitySetRegistry } from './entity-set.registry';
import { readProjectionOf } from './read-projection';

/** The related rows of one expanded navigation, for every entity of a page. */
export interface ExpandedNavigation {
  readonly item: ExpandItem;
  readonly related: RelatedRows;
}

/**
 * `$expand` (OData URL Conventions 4.01 §5.1.2): the related rows of a whole page, one query per
 * navigation whatever the number of entities on the page. What is shown of them (each entity's
 * share, the navigation's nested `$select`, at most `$top` items, a nextLink when the cap cut a
 * collection) is the responder's.
 */
@Injectable()
export class EntityExpander {
  constructor(private readonly sets: EntitySetRegistry) {}

  async related(
    caller: Caller,
    entity: EntityType,
    entities: readonly Entity[],
    items: readonly ExpandItem[] | undefined,
  ): Promise<ExpandedNavigation[] | undefined> {
    if (!items || items.length === 0) return undefined;
    const ids = entities.map((found) => found.id);
    return Promise.all(
      items.map(async (item) => {
        const { foreignKey, collection } = item.navigation;
        // The navigation's nested $select: the related rows read only what it shows of them.
        const projection = readProjectionOf(item.target, { select: item.query.select });
        const query = projection ? { ...item.query, projection } : item.query;
        if (!collection && foreignKey) {
          // To one: the target's rows whose key the page's entities name.
          const named = [
            ...new Set(
              entities
                .map((found) => found.properties[foreignKey])
                .filter((value): value is string => typeof value === 'string'),
            ),
          ];
          const related = await this.sets
            .serviceOf(item.target)
            .related(caller, item.target.key, named, query, 1);
          return { item, related };
        }
        const property = foreignKey ?? backReference(entity, item);
        // One more than the cap, to know whether the cap cut the collection.
        const related = await this.sets
          .serviceOf(item.target)
          .related(caller, property, ids, query, item.top + (item.topGiven ? 0 : 1));
        return { item, related };
      }),
    );
  }
}

/** The property of the target that refers back to the principal (its partner's foreign key). */
function backReference(entity: EntityType, item: ExpandItem): string {
  const partner = item.navigation.partner
    ? item.target.navigationProperties[item.navigation.partner]
    : undefined;
  if (!partner?.foreignKey || partner.target() !== entity) {
    throw new Error(`${entity.name}/${item.name} has no referential constraint to expand by.`);
  }
  return partner.foreignKey;
}
