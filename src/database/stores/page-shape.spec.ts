import { managedTenantOperation } from '../../edm/model';
import { parseFilter, parseOrderBy } from '../../odata/query/expression-parser';
import { QueryChecker } from '../../odata/query/query-checker';
import { SQLITE_DIALECT } from '../../odata/query/sql-dialect';
import { SqlTranslator } from '../../odata/query/sql-translator';
import { DYNAMIC_PROPERTIES_COLUMN } from '../entity-schema';
import { PageShapes } from './page-shape';

const checker = new QueryChecker({
  entity: managedTenantOperation,
  dynamicColumn: DYNAMIC_PROPERTIES_COLUMN,
});
const DATA_COLUMNS = [
  'id',
  'partnerTenantId',
  'partnerUserId',
  'name',
  'status',
  'result',
  'target',
  'createdDateTime',
  'lastModifiedDateTime',
];
const alias = (column: string): [string, string] => [`"o"."${column}"`, `o_${column}`];
const shapes = new PageShapes(
  managedTenantOperation,
  DATA_COLUMNS,
  new Map(DATA_COLUMNS.map(alias)),
  ['name'],
);
const TENANT = { tenantId: '0ea3b6f5-a8a0-4e0f-8e4a-8a8c0b7d0b6f' };
const translator = () => new SqlTranslator('o', SQLITE_DIALECT);

describe('PageShapes', () => {
  it('reads a sort key that is a selected column from it, and selects any other as kN', () => {
    const orderBy = checker.checkOrderBy(parseOrderBy('result/isSuccess desc,createdDateTime'));
    const { shape } = shapes.of(translator(), TENANT, { orderBy }, undefined, 26);
    expect(shape.order.map(({ position, direction }) => [position, direction])).toEqual([
      ['k0', 'DESC'],
      ['o_createdDateTime', 'ASC'],
      ['o_id', 'ASC'],
    ]);
    expect(shape.columns).toBeUndefined();
    expect(shapes.isSelected(shape.order[1].value)).toBe(true);
    expect(shapes.isSelected(shape.order[0].value)).toBe(false);
  });

  it('binds the tenant and every compared value, and keeps the limit and skip', () => {
    const filter = checker.checkFilter(parseFilter("status eq 'x'' OR 1=1'"));
    const orderBy = checker.checkOrderBy(parseOrderBy('createdDateTime'));
    const { shape, parameters } = shapes.of(
      translator(),
      TENANT,
      { filter, orderBy, skip: 5 },
      undefined,
      51,
    );
    expect(shape.filter).not.toContain('OR 1=1');
    expect(Object.values(parameters)).toEqual(
      expect.arrayContaining([TENANT.tenantId, "x' OR 1=1"]),
    );
    expect(parameters.scopeTenantId).toBe(TENANT.tenantId);
    expect([shape.limit, shape.skip]).toEqual([51, 5]);
  });

  it('has a projection read its properties, the keys, the timestamps and the sort keys', () => {
    const orderBy = checker.checkOrderBy(parseOrderBy('name desc,id'));
    const { shape } = shapes.of(
      translator(),
      TENANT,
      { orderBy, projection: { properties: ['status'], dynamicProperties: false } },
      undefined,
      10,
    );
    expect(shape.columns).toEqual([
      'id',
      'partnerTenantId',
      'name',
      'status',
      'createdDateTime',
      'lastModifiedDateTime',
    ]);
  });

  it('continues after a row by its sort keys’ values', () => {
    const orderBy = checker.checkOrderBy(parseOrderBy('createdDateTime,id'));
    const { shape, parameters } = shapes.of(
      translator(),
      TENANT,
      { orderBy },
      ['2026-12-01T00:00:00.000Z', 'a'],
      10,
    );
    expect(shape.after).toBeDefined();
    expect(Object.values(parameters)).toEqual(
      expect.arrayContaining(['2026-12-01T00:00:00.000Z', 'a']),
    );
  });
});
