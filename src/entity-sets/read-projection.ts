import { ReadProjection } from '../database/stores/entity.store';
import { EntityType } from '../edm/model';
import { EntityReadOptions } from '../odata/query/collection-request';

/**
 * What a read by key must read for its response: with `$select`, the selected properties (a
 * dynamic one: the open type's dynamic properties), and the foreign key of each to-one
 * navigation `$expand` follows; without `$select`, everything (undefined).
 */
export function readProjectionOf(
  type: EntityType,
  options: Pick<EntityReadOptions, 'select' | 'expand'>,
): ReadProjection | undefined {
  if (!options.select) return undefined;
  const properties = new Set<string>();
  let dynamicProperties = false;
  for (const { property } of options.select) {
    if (Object.hasOwn(type.properties, property)) properties.add(property);
    else dynamicProperties = true;
  }
  for (const { navigation } of options.expand ?? []) {
    if (!navigation.collection && navigation.foreignKey) properties.add(navigation.foreignKey);
  }
  return { properties: [...properties], dynamicProperties };
}

/** What a check that an entity exists reads of it: its key (and what every read reads). */
export const KEY_ONLY: ReadProjection = { properties: [], dynamicProperties: false };
