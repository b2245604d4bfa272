import {
  EntitySchema,
  EntitySchemaColumnOptions,
  EntitySchemaIndexOptions,
  EntitySchemaOptions,
} from 'typeorm';
import { DialectName } from '../odata/query/sql-dialect';
import {
  containerKeyOf,
  EntityType,
  isComplexProperty,
  isEnumProperty,
  OWNER_PROPERTIES,
  PropertyDefinition,
} from '../edm/model';

type ForeignKeyOptions = NonNullable<EntitySchemaOptions<EntityRow>['foreignKeys']>[number];

/** A stored row: one column per declared property, complex values as JSON, plus the dynamic ones. */
export type EntityRow = Record<string, unknown>;

/** The JSON column that holds the dynamic (undeclared) properties of an open type. */
export const DYNAMIC_PROPERTIES_COLUMN = 'dynamicProperties';

/**
 * The TypeORM entity schema of an entity type, derived from the model: scalars become columns of
 * their type, complex values and collections JSON columns (jsonb on PostgreSQL). Date-times are
 * stored as UTC ISO 8601 text, which sorts and compares in time order.
 */
export function buildEntitySchema(
  entity: EntityType,
  tableName: string,
  dialect: DialectName,
  storage: {
    indices?: EntitySchemaIndexOptions[];
    /** Columns the service keeps beside the model's properties (bookkeeping, not data). */
    extraColumns?: Record<string, EntitySchemaColumnOptions>;
  } = {},
): EntitySchema<EntityRow> {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  // A contained entity's key is unique within its container (and tenant) only; a key scoped
  // to the partner within the partner's tenant.
  const container = containerKeyOf(entity);
  const primary = container
    ? [OWNER_PROPERTIES.tenant, container, entity.key]
    : entity.keyScope === 'partner'
      ? [OWNER_PROPERTIES.tenant, entity.key]
      : [entity.key];
  for (const [name, property] of Object.entries(entity.properties)) {
    columns[name] = {
      ...columnType(property, dialect),
      primary: primary.includes(name),
      nullable: name !== entity.key && !property.required && !property.computed,
    };
  }
  if (entity.openType) {
    columns[DYNAMIC_PROPERTIES_COLUMN] = { type: jsonType(dialect), nullable: false };
  }
  Object.assign(columns, storage.extraColumns);
  return new EntitySchema<EntityRow>({
    name: entity.name,
    tableName,
    columns,
    indices: storage.indices,
    foreignKeys: foreignKeysOf(entity),
  });
}

/**
 * A dependent's reference to its principal, within the tenant: (tenant, foreign key) refers to
 * the principal's (tenant, key), so the database itself refuses a row that names another tenant's
 * entity, and deletes the dependents with their principal when the model says so.
 */
function foreignKeysOf(entity: EntityType): ForeignKeyOptions[] {
  return Object.values(entity.navigationProperties)
    .filter((navigation) => navigation.foreignKey !== undefined && !navigation.loose)
    .map((navigation) => {
      const principal = navigation.target();
      return {
        target: principal.name,
        columnNames: [OWNER_PROPERTIES.tenant, navigation.foreignKey!],
        referencedColumnNames: [OWNER_PROPERTIES.tenant, principal.key],
        onDelete: navigation.onDelete === 'cascade' ? 'CASCADE' : 'NO ACTION',
      };
    });
}

/** PostgreSQL stores JSON as jsonb (binary, indexable); SQLite as JSON text. */
function jsonType(dialect: DialectName): 'json' | 'jsonb' {
  return dialect === 'postgres' ? 'jsonb' : 'json';
}

function columnType(property: PropertyDefinition, dialect: DialectName): EntitySchemaColumnOptions {
  if (isComplexProperty(property) || property.collection) return { type: jsonType(dialect) };
  // Text compares byte by byte on PostgreSQL too (collation "C"), as in SQLite, so both order
  // and page alike whatever the database's locale.
  const text = (length: number | undefined): EntitySchemaColumnOptions =>
    dialect === 'postgres'
      ? { type: 'varchar', length, collation: 'C' }
      : { type: 'varchar', length };
  if (isEnumProperty(property)) return text(32);
  switch (property.type) {
    case 'Edm.Guid':
      return text(36);
    case 'Edm.String':
      return text(property.maxLength);
    case 'Edm.Boolean':
      return { type: 'boolean' };
    case 'Edm.Int32':
      return { type: 'integer' };
    case 'Edm.DateTimeOffset':
      return text(24);
    case 'Edm.Date':
      return text(10);
    case 'Edm.TimeOfDay':
      return text(18);
    case 'Edm.Duration':
      return text(64);
  }
}
