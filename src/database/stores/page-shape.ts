import { RowConstraint } from '../../edm/entity';
import { EntityType } from '../../edm/model';
import { SqlTranslator } from '../../odata/query/sql-translator';
import { ROW_ALIAS } from './entity-rows';
import { PageQuery, TenantScope } from './entity.store';
import { projectedColumns } from './projected-columns';
import { constraintOf } from './row-scope';

/** A page query's SQL pieces (named parameters): what its SQL text depends on. */
export interface PageShape {
  /** The columns a projection reads (all a response needs, when absent). */
  readonly columns?: readonly string[];
  readonly within: readonly string[];
  readonly filter?: string;
  readonly search?: string;
  readonly after?: string;
  readonly order: ReadonlyArray<{
    readonly value: string;
    readonly direction: 'ASC' | 'DESC';
    readonly nulls?: 'NULLS FIRST' | 'NULLS LAST';
    /** The result column the key's value is read from, to continue after a row. */
    readonly position: string;
  }>;
  readonly limit: number;
  readonly skip?: number;
}

/** A page's shape and the values its named parameters take. */
export interface ShapedPage {
  readonly shape: PageShape;
  readonly parameters: Record<string, unknown>;
}

/**
 * Page queries of one entity type as SQL pieces: the pieces depend on the query's shape only,
 * never on the values it compares with, so that a store can keep the statement of a shape.
 */
export class PageShapes {
  constructor(
    private readonly entity: EntityType,
    /** The columns a projection chooses from (the create fingerprint is never read). */
    private readonly dataColumns: readonly string[],
    /** The result aliases of the selected columns, by the SQL that names each. */
    private readonly selectedColumnAliases: ReadonlyMap<string, string>,
    private readonly searchableColumns: readonly string[],
  ) {}

  /** Whether `sql` (a sort key's value) is a column the page selects anyway. */
  isSelected(sql: string): boolean {
    return this.selectedColumnAliases.has(sql);
  }

  of(
    translator: SqlTranslator,
    tenant: TenantScope,
    query: PageQuery,
    after: readonly unknown[] | undefined,
    limit: number,
    within?: RowConstraint,
  ): ShapedPage {
    const constraint = constraintOf(this.entity, within);
    let shape: PageShape = {
      within: constraint.conditions,
      filter: query.filter ? translator.condition(query.filter) : undefined,
      search: query.search ? translator.search(query.search, this.searchableColumns) : undefined,
      after: after ? translator.after(query.orderBy, after) : undefined,
      order: query.orderBy.map((key, index) => {
        const value = translator.sortValue(key);
        return {
          value,
          direction: key.direction === 'desc' ? 'DESC' : 'ASC',
          nulls: translator.nullsOrder(key),
          position: this.selectedColumnAliases.get(value) ?? `k${index}`,
        };
      }),
      limit,
      skip: query.skip || undefined,
    };
    if (query.projection) {
      // A projection reads the sort keys' columns too: the next page starts after their values.
      const sortColumns = shape.order
        .filter(({ value }) => this.selectedColumnAliases.has(value))
        .map(({ position }) => position.slice(ROW_ALIAS.length + 1));
      const columns = projectedColumns(
        this.entity,
        this.dataColumns,
        query.projection,
        sortColumns,
      );
      shape = { ...shape, columns };
    }
    return {
      shape,
      parameters: {
        scopeTenantId: tenant.tenantId,
        ...constraint.parameters,
        ...translator.parameters,
      },
    };
  }
}
