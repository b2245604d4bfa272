import { EntitySchema, Repository, SelectQueryBuilder } from 'typeorm';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { Entity, RowConstraint } from '../../edm/entity';
import { EntityType, OWNER_PROPERTIES } from '../../edm/model';
import { SqlDialect } from '../../odata/query/sql-dialect';
import { SqlTranslator } from '../../odata/query/sql-translator';
import { EntityRow } from '../entity-schema';
import { CREATE_FINGERPRINT_COLUMN, tableOf } from '../entity-tables';
import { SqlExecutor } from '../sql-executor';
import { TransactionContext } from '../transaction-context';
import {
  CompanionWrite,
  CountQuery,
  EntityStore,
  PageQuery,
  PageRow,
  ReadProjection,
  RelatedRows,
  TenantScope,
} from './entity.store';
import { PageShape, PageShapes, ShapedPage } from './page-shape';
import { projectedColumns } from './projected-columns';
import { EntityRows, ROW_ALIAS } from './entity-rows';
import { KeyStatements, keyColumnsOf, keyStatements } from './entity-key-statements';
import { constraintOf, requireDeclared } from './row-scope';
import { refuseMistypedQuery } from './store-errors';

const TENANT_COLUMN = OWNER_PROPERTIES.tenant;

/**
 * The row layout of an entity type (complex values as JSON columns, dynamic properties in one
 * JSON column, secrets encrypted here on the way in and decrypted on the way out, bound to the
 * row's id) and its queries: built with TypeORM's QueryBuilder from the checked OData query (the
 * QueryBuilder writes SQL text only), run on the storage executor. Every query starts from the
 * tenant's rows. The store (sql-entity.store.ts) adds reads and writes by key and pages.
 */
export abstract class EntityStoreBase implements EntityStore {
  protected readonly columns: readonly string[];
  /** The columns but the create fingerprint (what a read by key and an update touch). */
  protected readonly dataColumns: readonly string[];
  protected readonly keySql: KeyStatements;
  /** The columns a response needs, as the QueryBuilder selects them. */
  private readonly responseColumns: string[];
  /** Page queries as SQL pieces. */
  private readonly pageShapes: PageShapes;
  protected readonly jsonColumns: readonly string[];
  private readonly searchableColumns: readonly string[];
  /** Rows to entities and back: JSON, Booleans, secrets. */
  private readonly mapping: EntityRows;
  /** The key is unique on its own (the primary key does not start with the tenant). */
  private readonly keyIsUniqueAlone: boolean;

  constructor(
    readonly entity: EntityType,
    protected readonly schema: EntitySchema<EntityRow>,
    protected readonly rows: Repository<EntityRow>,
    protected readonly cipher: CredentialsCipher,
    protected readonly transactions: TransactionContext,
    protected readonly dialect: SqlDialect,
    /** The database's executor: every statement runs on it. */
    protected readonly db: SqlExecutor,
  ) {
    const columns = schema.options.columns;
    this.columns = Object.keys(columns);
    this.keyIsUniqueAlone = columns[TENANT_COLUMN]?.primary !== true;
    this.dataColumns = this.columns.filter((column) => column !== CREATE_FINGERPRINT_COLUMN);
    this.keySql = keyStatements(
      tableOf(entity).tableName,
      this.columns,
      this.dataColumns,
      keyColumnsOf(entity),
    );
    const bookkeeping = new Set([
      CREATE_FINGERPRINT_COLUMN,
      ...Object.keys(tableOf(entity).derivedColumns ?? {}),
    ]);
    const responseColumns = this.columns.filter((column) => !bookkeeping.has(column));
    this.responseColumns = responseColumns.map((column) => `${ROW_ALIAS}.${column}`);
    this.jsonColumns = Object.entries(columns)
      .filter(([, column]) => column?.type === 'json' || column?.type === 'jsonb')
      .map(([name]) => name);
    this.searchableColumns = Object.entries(entity.properties)
      .filter(([, property]) => property.searchable)
      .map(([name]) => name);
    this.mapping = new EntityRows(entity, schema, cipher);
    this.pageShapes = new PageShapes(
      entity,
      this.dataColumns,
      new Map(
        responseColumns.map((column) => [`"${ROW_ALIAS}"."${column}"`, `${ROW_ALIAS}_${column}`]),
      ),
      this.searchableColumns,
    );
  }

  abstract insert(tenant: TenantScope, entity: Entity, createFingerprint?: string): Promise<void>;
  abstract findById(
    tenant: TenantScope,
    id: string,
    within?: RowConstraint,
    projection?: ReadProjection,
  ): Promise<Entity | undefined>;
  abstract findPage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): Promise<PageRow[]>;
  abstract update(
    tenant: TenantScope,
    id: string,
    change: (current: Entity) => Entity,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<Entity | undefined>;
  abstract delete(
    tenant: TenantScope,
    id: string,
    check?: (current: Entity) => void,
    within?: RowConstraint,
    also?: CompanionWrite,
  ): Promise<boolean>;

  /** The statements by key, as both stores run them (for the committed SQL snapshots). */
  get statementsByKey(): KeyStatements {
    return this.keySql;
  }

  async findByRequestKey(
    tenant: TenantScope,
    requestId: string,
  ): Promise<{ entity: Entity; createFingerprint: string | null } | undefined> {
    const [row] = await this.rawRows(
      this.tenantRows()
        .setParameter('scopeTenantId', tenant.tenantId)
        .andWhere(`"${ROW_ALIAS}"."${OWNER_PROPERTIES.requestKey}" = :requestId`, { requestId })
        .andWhere(`"${ROW_ALIAS}"."${CREATE_FINGERPRINT_COLUMN}" IS NOT NULL`),
    );
    if (!row) return undefined;
    return {
      entity: this.entityFromRaw(row, true),
      createFingerprint:
        (row[`${ROW_ALIAS}_${CREATE_FINGERPRINT_COLUMN}`] as string | null) ?? null,
    };
  }

  abstract insertMany(entities: readonly Entity[], batchSize?: number): Promise<void>;

  async findByIds(
    tenant: TenantScope,
    ids: readonly string[],
    within?: RowConstraint,
  ): Promise<Entity[]> {
    if (ids.length === 0) return [];
    const constraint = constraintOf(this.entity, within);
    const builder = this.tenantRows(this.keyIsUniqueAlone)
      .setParameter('scopeTenantId', tenant.tenantId)
      .andWhere(`"${ROW_ALIAS}"."${this.entity.key}" IN (:...ids)`, { ids })
      .setParameters(constraint.parameters);
    for (const condition of constraint.conditions) builder.andWhere(condition);
    const rows = await this.rawRows(builder);
    return rows.map((raw) => this.entityFromRaw(raw, true, false));
  }

  /** The SQL and parameters findPage runs, for review and for query-plan tests. */
  describePage(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): [string, unknown[]] {
    return this.pageQuery(tenant, query, after, limit, within).getQueryAndParameters();
  }

  /** How many of the tenant's rows match the query's $filter and $search. */
  async count(tenant: TenantScope, query: CountQuery, within?: RowConstraint): Promise<number> {
    const translator = this.translator();
    const builder = this.matching(tenant, query, translator, within);
    builder.setParameters(translator.parameters).select('COUNT(*)', 'count');
    const [{ count }] = await this.rawRows(builder);
    return Number(count);
  }

  /**
   * One statement for the rows of many principals: each row numbered within its group in the
   * query's order (a window function), the outer query keeping the first `limit` of each.
   */
  async findRelated(
    tenant: TenantScope,
    property: string,
    values: readonly string[],
    query: PageQuery & { readonly count?: boolean },
    limit: number,
  ): Promise<RelatedRows> {
    requireDeclared(this.entity, property);
    const rows = new Map<string, Entity[]>(values.map((value) => [value, []]));
    if (values.length === 0) return { rows, counts: query.count ? new Map() : undefined };
    const translator = this.translator();
    const inner = this.matching(tenant, query, translator).andWhere(
      `"${ROW_ALIAS}"."${property}" IN (:...relatedValues)`,
      { relatedValues: values },
    );
    if (query.projection) {
      // The rows are grouped by `property`: it is read whatever the projection.
      const columns = projectedColumns(this.entity, this.dataColumns, query.projection, [property]);
      inner.select(columns.map((column) => `${ROW_ALIAS}.${column}`));
    }
    const order = query.orderBy
      .map((key) => {
        const nulls = translator.nullsOrder(key);
        return `${translator.sortValue(key)} ${key.direction === 'desc' ? 'DESC' : 'ASC'}${nulls ? ` ${nulls}` : ''}`;
      })
      .join(', ');
    inner.addSelect(
      `ROW_NUMBER() OVER (PARTITION BY "${ROW_ALIAS}"."${property}" ORDER BY ${order})`,
      'related_rank',
    );
    if (query.count) {
      inner.addSelect(`COUNT(*) OVER (PARTITION BY "${ROW_ALIAS}"."${property}")`, 'related_count');
    }
    const skip = query.skip ?? 0;
    const outer = this.rows.manager
      .createQueryBuilder()
      .select('*')
      .from(`(${inner.getQuery()})`, 'ranked')
      .where('"ranked"."related_rank" > :relatedSkip AND "ranked"."related_rank" <= :relatedUpTo', {
        relatedSkip: skip,
        relatedUpTo: skip + limit,
      })
      .orderBy('"ranked"."related_rank"', 'ASC')
      .setParameters({ ...inner.getParameters(), ...translator.parameters });
    const counts = query.count ? new Map<string, number>(values.map((v) => [v, 0])) : undefined;
    for (const raw of await this.rawRows(outer)) {
      const entity = this.entityFromRaw(raw, `${ROW_ALIAS}_${this.entity.key}` in raw, false);
      const group = property === this.entity.key ? entity.id : String(entity.properties[property]);
      rows.get(group)?.push(entity);
      counts?.set(group, Number(raw.related_count));
    }
    if (counts) {
      // Groups whose rows were all skipped still have a count.
      const missing = values.filter((value) => rows.get(value)!.length === 0);
      if (missing.length > 0 && skip > 0) {
        for (const [value, count] of await this.countsBy(tenant, property, missing, query)) {
          counts.set(value, count);
        }
      }
    }
    return { rows, counts };
  }

  private async countsBy(
    tenant: TenantScope,
    property: string,
    values: readonly string[],
    query: CountQuery,
  ): Promise<Map<string, number>> {
    const translator = this.translator();
    const builder = this.matching(tenant, query, translator)
      .andWhere(`"${ROW_ALIAS}"."${property}" IN (:...countValues)`, { countValues: values })
      .select(`"${ROW_ALIAS}"."${property}"`, 'value')
      .addSelect('COUNT(*)', 'count')
      .groupBy(`"${ROW_ALIAS}"."${property}"`);
    builder.setParameters(translator.parameters);
    const found = await this.rawRows(builder);
    return new Map(found.map(({ value, count }) => [String(value), Number(count)]));
  }

  protected translator(): SqlTranslator {
    return new SqlTranslator(
      ROW_ALIAS,
      this.dialect,
      undefined,
      (entity) => tableOf(entity).tableName,
    );
  }

  protected pageQuery(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): SelectQueryBuilder<EntityRow> {
    const { shape, parameters } = this.pageShape(tenant, query, after, limit, within);
    return this.pageQueryOf(shape).setParameters(parameters);
  }

  /** A page query as SQL pieces with named parameters, and the parameters (see PageShapes). */
  protected pageShape(
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): ShapedPage {
    return this.pageShapes.of(this.translator(), tenant, query, after, limit, within);
  }

  protected pageQueryOf(shape: PageShape): SelectQueryBuilder<EntityRow> {
    // A page goes into a response: the create request's fingerprint is not read.
    const builder = this.tenantRows().select(
      shape.columns
        ? shape.columns.map((column) => `${ROW_ALIAS}.${column}`)
        : this.responseColumns,
    );
    for (const condition of shape.within) builder.andWhere(condition);
    if (shape.filter) builder.andWhere(shape.filter);
    if (shape.search) builder.andWhere(shape.search);
    if (shape.after) builder.andWhere(shape.after);
    for (const { value, direction, nulls, position } of shape.order) {
      // A key that is a selected column is read from it, not selected twice.
      if (!this.pageShapes.isSelected(value)) builder.addSelect(value, position);
      builder.addOrderBy(value, direction, nulls);
    }
    builder.limit(shape.limit);
    if (shape.skip) builder.offset(shape.skip);
    return builder;
  }

  /** Reads page rows as rowReader does, with the values of their sort keys. */
  protected pageRowReader(
    columns: readonly string[],
    shape: PageShape,
  ): (values: readonly unknown[]) => PageRow {
    const entityOf = this.rowReader(columns, true, false, shape.columns !== undefined);
    const positions = shape.order.map(({ position }) => columns.indexOf(position));
    if (positions.includes(-1)) throw new Error(`A page query of ${this.entity.name} lacks a key`);
    return (values) => ({
      entity: entityOf(values),
      position: positions.map((index) => values[index]),
    });
  }

  /** A query's rows by column name, run on the executor (a unit of work's, if one is going). */
  protected rawRows(
    builder: SelectQueryBuilder<EntityRow>,
  ): Promise<Array<Record<string, unknown>>> {
    const [sql, parameters] = builder.getQueryAndParameters();
    return refuseMistypedQuery(this.db.all(sql, parameters));
  }

  /**
   * The tenant's rows, the tenant bound as `:scopeTenantId`: every query starts here.
   * `byKey`: the rows are found by a key that is unique on its own (its primary key), and the
   * tenant condition only checks them: it is then written as an expression no index serves, since
   * SQLite's planner, without statistics, would rather walk every row of the tenant through an
   * index that leads with the tenant than look a few keys up.
   */
  protected tenantRows(byKey = false): SelectQueryBuilder<EntityRow> {
    const tenantColumn = `"${ROW_ALIAS}"."${TENANT_COLUMN}"`;
    return this.rows.manager
      .getRepository(this.schema)
      .createQueryBuilder(ROW_ALIAS)
      .where(`${byKey ? `${tenantColumn} || ''` : tenantColumn} = :scopeTenantId`);
  }

  /**
   * The tenant's rows that match a query: the tenant condition comes first and always, so no
   * query option can reach another tenant's rows.
   */
  protected matching(
    tenant: TenantScope,
    query: CountQuery,
    translator: SqlTranslator,
    within?: RowConstraint,
  ): SelectQueryBuilder<EntityRow> {
    const builder = this.tenantRows().setParameter('scopeTenantId', tenant.tenantId);
    const constraint = constraintOf(this.entity, within);
    for (const condition of constraint.conditions) builder.andWhere(condition);
    builder.setParameters(constraint.parameters);
    if (query.filter) builder.andWhere(translator.condition(query.filter));
    if (query.search) builder.andWhere(translator.search(query.search, this.searchableColumns));
    return builder;
  }

  /** Reads rows that come as arrays of values (see EntityRows.reader). */
  protected rowReader(
    columns: readonly string[],
    aliased: boolean,
    withSecrets: boolean,
    partial = false,
  ): (values: readonly unknown[]) => Entity {
    return this.mapping.reader(columns, aliased, withSecrets, partial);
  }

  /** An entity straight from a raw row (see EntityRows.fromRaw). */
  protected entityFromRaw(
    raw: Record<string, unknown>,
    aliased: boolean,
    withSecrets = true,
  ): Entity {
    return this.mapping.fromRaw(raw, aliased, withSecrets);
  }

  /** A row's values in `columns` order, as a statement binds them (see EntityRows.bound). */
  protected boundValues(row: EntityRow, columns: readonly string[]): unknown[] {
    const bindBoolean = this.db.dialect.bindBoolean;
    return columns.map((column) => {
      const value = this.mapping.bound(row, column);
      return typeof value === 'boolean' ? bindBoolean(value) : value;
    });
  }

  protected toRow(entity: Entity, createFingerprint?: string): EntityRow {
    return this.mapping.toRow(entity, createFingerprint);
  }
}
