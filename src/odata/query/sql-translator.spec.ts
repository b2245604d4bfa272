import { DYNAMIC_PROPERTIES_COLUMN } from '../../database/entity-schema';
import { managedTenantOperation } from '../../edm/model';
import { parseFilter, parseOrderBy } from './expression-parser';
import { QueryChecker } from './query-checker';
import { parseSearch } from './search-parser';
import { POSTGRES_DIALECT, SQLITE_DIALECT, SqlDialect } from './sql-dialect';
import { SqlTranslator } from './sql-translator';

const checker = new QueryChecker({
  entity: managedTenantOperation,
  dynamicColumn: DYNAMIC_PROPERTIES_COLUMN,
});
const NOW = '2026-11-28T12:00:00.000Z';

function filterSql(
  text: string,
  dialect: SqlDialect,
): { sql: string; params: Record<string, unknown> } {
  const translator = new SqlTranslator('o', dialect, () => NOW);
  const sql = translator.condition(checker.checkFilter(parseFilter(text)));
  return { sql, params: translator.parameters };
}

/**
 * The SQL the translator produces for representative queries, committed as snapshots so that a
 * change to the translator shows its SQL in review (see __snapshots__).
 */
describe.each([SQLITE_DIALECT, POSTGRES_DIALECT])('SqlTranslator for $name', (dialect) => {
  it.each([
    "status eq 'running'",
    "status ne 'running' and not (name eq null)",
    "status eq 'running' and target/allTenants eq true",
    'result/isSuccess',
    'not (result/isComplete eq true)',
    "operationDefinition/logLevel eq microsoft.graph.logLevel'full'",
    'createdDateTime ge 2026-01-31T13:00:00+01:00',
    'not (createdDateTime gt now())',
    'year(createdDateTime) eq 2026 and month(createdDateTime) ge 1 and date(createdDateTime) le 2026-12-31',
    "contains(name,'base') or startswith(name,'Apply') or endswith(description,'.')",
    "tolower(name) eq 'x' and length(name) lt 10 and indexof(name,'a') eq 0",
    "substring(name,1,2) eq 'pp' and trim(concat(name,' ')) eq name",
    'target/tenantIds/any(t: t eq 5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d)',
    "result/tenantExceptions/any(e: e/exception eq 'Timeout')",
    'operationDefinition/lambdaDefinitions/all(l: l/type gt 1)',
    'result/tenantExceptions/any()',
    "status in ('running','failed',null)",
    "ticket eq 'INC-1'",
    'attempts add 1 gt 2',
  ])('translates %s', (text) => {
    expect(filterSql(text, dialect)).toMatchSnapshot();
  });

  it('binds every value and never pastes request text into SQL', () => {
    const hostile = "name eq 'x'' OR 1=1; DROP TABLE managed_tenant_operations; --'";
    const { sql, params } = filterSql(hostile, dialect);
    expect(sql).toBe(`"o"."name" = ${dialect.parameter('p0', 'Edm.String')}`);
    expect(params).toEqual({ p0: "x' OR 1=1; DROP TABLE managed_tenant_operations; --" });
  });

  it('translates $search over the searchable columns, case-insensitively', () => {
    const translator = new SqlTranslator('o', dialect);
    const sql = translator.search(
      {
        kind: 'and',
        left: { kind: 'term', text: 'Blue' },
        right: { kind: 'not', operand: { kind: 'term', text: 'green sky' } },
      },
      ['name', 'status'],
    );
    expect({ sql, params: translator.parameters }).toMatchSnapshot();
    expect(parseSearch('a')).toBeDefined();
  });

  it('builds keyset conditions: row values for non-null keys, null-aware expansions otherwise', () => {
    const translator = new SqlTranslator('o', dialect);
    const defaultOrder = checker.defaultOrder();
    const mixed = checker.checkOrderBy(parseOrderBy('result/isSuccess desc,name'));
    expect({
      newestFirst: translator.after(defaultOrder, ['2026-01-01T00:00:00.000Z', 'id-1']),
      nullableAfterValue: translator.after(mixed, [1, 'n', 'id-2']),
      nullableAfterNull: translator.after(mixed, [null, 'n', 'id-3']),
      orderBy: translator.orderBy(mixed),
      params: translator.parameters,
    }).toMatchSnapshot();
  });
});
