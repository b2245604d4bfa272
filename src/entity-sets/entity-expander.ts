import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller';
import { Entity } from '../edm/entity';
import { EntityType } from '../edm/model';
import { MetadataLevel } from '../edm/representation';
import { ExpandItem } from '../odata/query/expand';
import { EntityResponder } from './entity-set.responder';
import { EntitySetRegistry } from './entity-set.registry';

type Expanded = (entity: Entity) => Record<string, unknown>;

/**
 * `$expand` (OData URL Conventions 4.01 §5.1.2): the related rows of a whole page, one query per
 * navigation whatever the number of entities on the page, then each entity's share represented
 * with the navigation's nested `$select`. An expanded collection holds at most `$top` items (at
 * most MAX_EXPANDED_ITEMS); when the cap, not `$top`, cut it, `<name>@odata.nextLink` leads to
 * the rest through the navigation's URL (with `$skip` past what was shown).
 */
@Injectable()
export class EntityExpander {
  constructor(
    private readonly sets: EntitySetRegistry,
    private readonly responder: EntityResponder,
  ) {}

  async expand(
    caller: Caller,
    entity: EntityType,
    entities: readonly Entity[],
    items: readonly ExpandItem[] | undefined,
    context: { readonly serviceRoot: string; readonly level: MetadataLevel },
  ): Promise<Expanded | undefined> {
    if (!items || items.length === 0) return undefined;
    const ids = entities.map((found) => found.id);
    const parts = await Promise.all(
      items.map(async (item) => {
        const property = item.navigation.foreignKey ?? backReference(entity, item);
        // One more than the cap, to know whether the cap cut the collection.
        const related = await this.sets
          .serviceOf(item.target)
          .related(caller, property, ids, item.query, item.top + (item.topGiven ? 0 : 1));
        return { item, related };
      }),
    );
    const principal = this.responder.representationOf(entity);
    return (found) => {
      const body: Record<string, unknown> = {};
      for (const { item, related } of parts) {
        const representation = this.responder.representationOf(item.target);
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
          body[`${item.name}@odata.nextLink`] = this.responder.nextLink(path, rest);
        }
      }
      return body;
    };
  }
}

/** The property of the target that refers back to the principal (its partner's foreign key). */
function backReference(entity: EntityType, item: ExpandItem): string {
  const partner = item.target.navigationProperties[item.navigation.partner];
  if (!partner?.foreignKey || partner.target() !== entity) {
    throw new Error(`${entity.name}/${item.name} has no referential constraint to expand by.`);
  }
  return partner.foreignKey;
}
