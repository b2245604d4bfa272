import { EntitySchema } from 'typeorm';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { Entity } from '../../edm/entity';
import { EntityType, holdsSecret, keyValueOf } from '../../edm/model';
import { mapSecretValues } from '../../edm/secrets';
import { DYNAMIC_PROPERTIES_COLUMN, EntityRow } from '../entity-schema';
import { CREATE_FINGERPRINT_COLUMN, DerivedColumn, tableOf } from '../entity-tables';

/** The alias of the entity's table in every query a store builds. */
export const ROW_ALIAS = 'o';

/** How a stored property is read from a raw row. */
interface ReadStep {
  readonly name: string;
  readonly alias: string;
  readonly json: boolean;
  readonly boolean: boolean;
  readonly definition: EntityType['properties'][string];
  readonly secret: boolean;
}

/**
 * An entity type's rows and entities, one into the other: the stored properties, JSON columns
 * parsed, SQLite's 0 and 1 made Booleans, secrets encrypted on the way in and decrypted (or left
 * out, for responses) on the way out. Worked out once per entity type.
 */
export class EntityRows {
  private readonly storedProperties: ReadonlyArray<
    readonly [string, EntityType['properties'][string]]
  >;
  /** How each stored property is read from a raw row. */
  private readonly readPlan: ReadonlyArray<ReadStep>;
  private readonly jsonColumns: ReadonlySet<string>;
  private readonly derivedColumns: ReadonlyArray<readonly [string, DerivedColumn]>;

  constructor(
    private readonly entity: EntityType,
    schema: EntitySchema<EntityRow>,
    private readonly cipher: CredentialsCipher,
  ) {
    const columns = schema.options.columns;
    this.derivedColumns = Object.entries(tableOf(entity).derivedColumns ?? {});
    const typed = (type: string) =>
      Object.entries(columns)
        .filter(
          ([, column]) => column?.type === type || (type === 'json' && column?.type === 'jsonb'),
        )
        .map(([name]) => name);
    const json = typed('json');
    this.jsonColumns = new Set(json);
    // Boolean columns, which SQLite returns as 0 and 1 to reads without TypeORM's hydration.
    const boolean = typed('boolean');
    this.storedProperties = Object.entries(entity.properties).filter(
      ([name, property]) => name !== entity.key && !property.computed,
    );
    this.readPlan = this.storedProperties.map(([name, definition]) => ({
      name,
      alias: `${ROW_ALIAS}_${name}`,
      json: json.includes(name),
      boolean: boolean.includes(name),
      definition,
      secret: holdsSecret(definition),
    }));
  }

  /**
   * Reads rows that come as arrays of values in the order of `columns` (their names, or their
   * QueryBuilder aliases when `aliased`): better-sqlite3's raw mode, which skips building an
   * object per row. Worked out once per statement; a row is then read by index, as
   * entityFromRaw reads it by name. `partial`: the statement reads some of the properties (a
   * projection), and the entity holds those; the key and the timestamps are always read.
   */
  reader(
    columns: readonly string[],
    aliased: boolean,
    withSecrets: boolean,
    partial = false,
  ): (values: readonly unknown[]) => Entity {
    const positionOf = (column: string): number =>
      columns.indexOf(aliased ? `${ROW_ALIAS}_${column}` : column);
    const indexOf = (column: string): number => {
      const index = positionOf(column);
      if (index < 0) throw new Error(`A query of ${this.entity.name} lacks ${column}`);
      return index;
    };
    const optional = (column: string): number => (partial ? positionOf(column) : indexOf(column));
    const id = indexOf(this.entity.key);
    const created = indexOf('createdDateTime');
    const modified = indexOf('lastModifiedDateTime');
    const dynamic = this.entity.openType ? optional(DYNAMIC_PROPERTIES_COLUMN) : -1;
    const steps = this.readPlan
      .map((step) => ({ step, index: optional(step.name) }))
      .filter(({ index }) => index >= 0);
    return (values) => {
      const entityId = String(values[id]);
      const properties: Record<string, unknown> = {};
      for (const { step, index } of steps) {
        properties[step.name] = this.storedValue(step, values[index], entityId, withSecrets);
      }
      const dynamicText = dynamic < 0 ? undefined : values[dynamic];
      return {
        id: entityId,
        createdDateTime: values[created] as string,
        lastModifiedDateTime: values[modified] as string,
        properties,
        // JSON text on SQLite; PostgreSQL's driver parses json columns itself.
        dynamicProperties: (typeof dynamicText === 'string'
          ? JSON.parse(dynamicText)
          : (dynamicText ?? {})) as Record<string, unknown>,
      };
    };
  }

  /**
   * An entity straight from a raw row, in one pass: the columns by their QueryBuilder aliases
   * (`o_<column>`) or by name; JSON text parsed and SQLite's 0/1 made Booleans, as TypeORM would;
   * secrets decrypted, or, for rows that only go into responses (`withSecrets: false`: pages,
   * `$expand`, delta), left out: a secret is write-only, and decrypting it for every row of a page
   * would cost an AES-GCM decryption each for nothing.
   */
  fromRaw(raw: Record<string, unknown>, aliased: boolean, withSecrets = true): Entity {
    const key = this.entity.key;
    const id = String(aliased ? raw[`${ROW_ALIAS}_${key}`] : raw[key]);
    const properties: Record<string, unknown> = {};
    for (const step of this.readPlan) {
      const column = aliased ? step.alias : step.name;
      // A projection's rows lack the columns it does not read.
      if (!(column in raw)) continue;
      properties[step.name] = this.storedValue(step, raw[column], id, withSecrets);
    }
    const dynamic = aliased
      ? raw[`${ROW_ALIAS}_${DYNAMIC_PROPERTIES_COLUMN}`]
      : raw[DYNAMIC_PROPERTIES_COLUMN];
    return {
      id,
      createdDateTime: (aliased
        ? raw[`${ROW_ALIAS}_createdDateTime`]
        : raw.createdDateTime) as string,
      lastModifiedDateTime: (aliased
        ? raw[`${ROW_ALIAS}_lastModifiedDateTime`]
        : raw.lastModifiedDateTime) as string,
      properties,
      dynamicProperties: (typeof dynamic === 'string'
        ? JSON.parse(dynamic)
        : (dynamic ?? {})) as Record<string, unknown>,
    };
  }

  /** A column's value as the entity holds it (see fromRaw). */
  private storedValue(step: ReadStep, stored: unknown, id: string, withSecrets: boolean): unknown {
    let value = stored;
    if (step.json && typeof value === 'string') value = JSON.parse(value);
    else if (step.boolean && typeof value === 'number') value = value !== 0;
    if (!step.secret) return value;
    return withSecrets
      ? mapSecretValues(step.definition, value, (ciphertext) => this.cipher.decrypt(ciphertext, id))
      : mapSecretValues(step.definition, value, () => undefined as unknown as string);
  }

  /** A column's value as a statement binds it: JSON columns as text, absent as null. */
  bound(row: EntityRow, column: string): unknown {
    const value = row[column];
    if (value === undefined) return null;
    return this.jsonColumns.has(column) ? JSON.stringify(value) : value;
  }

  toRow(entity: Entity, createFingerprint?: string): EntityRow {
    const row: EntityRow = {
      [this.entity.key]: keyValueOf(this.entity, entity.id),
      createdDateTime: entity.createdDateTime,
      lastModifiedDateTime: entity.lastModifiedDateTime,
    };
    if (this.entity.openType) row[DYNAMIC_PROPERTIES_COLUMN] = entity.dynamicProperties;
    for (const [name, value] of Object.entries(entity.properties)) {
      row[name] = mapSecretValues(this.entity.properties[name], value, (secret) =>
        this.cipher.encrypt(secret, entity.id),
      );
    }
    if (createFingerprint !== undefined) row[CREATE_FINGERPRINT_COLUMN] = createFingerprint;
    for (const [name, derived] of this.derivedColumns)
      row[name] = derived.valueOf(entity.properties);
    return row;
  }
}
