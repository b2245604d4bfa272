import { EntitySchema, EntitySchemaColumnOptions, EntitySchemaIndexOptions } from 'typeorm';
import { EntityType, isComplexProperty, isEnumProperty, PropertyDefinition } from './model';

/** A stored row: one column per declared property, complex values as JSON, plus the dynamic ones. */
export type EntityRow = Record<string, unknown>;

/** The JSON column that holds the dynamic (undeclared) properties of an open type. */
export const DYNAMIC_PROPERTIES_COLUMN = 'dynamicProperties';

/**
 * The TypeORM entity schema of an entity type, derived from the model: scalars become columns of
 * their type, complex values and collections JSON columns. Date-times are stored as UTC ISO 8601
 * text, which SQLite sorts and compares in time order.
 */
export function buildEntitySchema(
  entity: EntityType,
  tableName: string,
  storage: {
    indices?: EntitySchemaIndexOptions[];
    /** Columns the service keeps beside the model's properties (bookkeeping, not data). */
    extraColumns?: Record<string, EntitySchemaColumnOptions>;
  } = {},
): EntitySchema<EntityRow> {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  for (const [name, property] of Object.entries(entity.properties)) {
    columns[name] = {
      ...columnType(property),
      primary: name === entity.key,
      nullable: name !== entity.key && !property.required && !property.computed,
    };
  }
  if (entity.openType) columns[DYNAMIC_PROPERTIES_COLUMN] = { type: 'json', nullable: false };
  Object.assign(columns, storage.extraColumns);
  return new EntitySchema<EntityRow>({
    name: entity.name,
    tableName,
    columns,
    indices: storage.indices,
  });
}

function columnType(property: PropertyDefinition): EntitySchemaColumnOptions {
  if (isComplexProperty(property) || property.collection) return { type: 'json' };
  if (isEnumProperty(property)) return { type: 'varchar', length: 32 };
  switch (property.type) {
    case 'Edm.Guid':
      return { type: 'varchar', length: 36 };
    case 'Edm.String':
      return { type: 'varchar', length: property.maxLength };
    case 'Edm.Boolean':
      return { type: 'boolean' };
    case 'Edm.Int32':
      return { type: 'integer' };
    case 'Edm.DateTimeOffset':
      return { type: 'varchar', length: 24 };
  }
}
