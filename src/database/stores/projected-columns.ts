import { EntityType, OWNER_PROPERTIES } from '../../edm/model';
import { DYNAMIC_PROPERTIES_COLUMN } from '../entity-schema';
import { keyColumnsOf } from './entity-key-statements';
import { ReadProjection } from './entity.store';

/**
 * The data columns a projection reads, in the table's order: those it names, `also`, and those
 * every read needs (the key columns, the tenant, the timestamps). Only names among `dataColumns`
 * reach SQL.
 */
export function projectedColumns(
  entity: EntityType,
  dataColumns: readonly string[],
  projection: ReadProjection,
  also: readonly string[],
): string[] {
  const wanted = new Set<string>([
    ...projection.properties,
    ...also,
    ...keyColumnsOf(entity),
    OWNER_PROPERTIES.tenant,
    'createdDateTime',
    'lastModifiedDateTime',
  ]);
  if (projection.dynamicProperties && entity.openType) wanted.add(DYNAMIC_PROPERTIES_COLUMN);
  return dataColumns.filter((column) => wanted.has(column));
}
