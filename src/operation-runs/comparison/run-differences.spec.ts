import { parseDifferenceFilter } from './difference-filter';
import { rowDifferences, RunDifference, tenantDifferences } from './run-differences';

const T = '2d9a4c71-8f3e-4b6a-9c5d-1e7f0a2b3c4d';
const row = (value: unknown) => JSON.stringify(value);

describe('rowDifferences', () => {
  it('matches rows by id: added, removed, changed; _TenantId, @odata.* and key order ignored', () => {
    const base = [
      row({ id: '1', name: 'a', _TenantId: 'x' }),
      row({ id: '2', name: 'b' }),
      row({ name: 'c', id: '3' }),
    ];
    const later = [
      row({ '@odata.etag': 'W/"2"', id: '1', name: 'a', _TenantId: 'y' }),
      row({ id: '3', name: 'C' }),
      row({ id: 4, name: 'd' }),
    ];
    expect(rowDifferences(base, later)).toEqual([
      { changeType: 'changed', rowKey: '3', row: later[1], baseRow: base[2] },
      { changeType: 'added', rowKey: '4', row: later[2], baseRow: null },
      { changeType: 'removed', rowKey: '2', row: null, baseRow: base[1] },
    ]);
  });

  it('matches rows without an id by their whole content, as many times as they occur', () => {
    const base = [row({ n: 1 }), row({ n: 1 }), row({ n: 2 }), 'not json'];
    const later = [row({ n: 1 }), row({ n: 3 }), 'not json', 'not json'];
    expect(rowDifferences(base, later)).toEqual([
      { changeType: 'added', rowKey: null, row: row({ n: 3 }), baseRow: null },
      { changeType: 'added', rowKey: null, row: 'not json', baseRow: null },
      { changeType: 'removed', rowKey: null, row: null, baseRow: row({ n: 1 }) },
      { changeType: 'removed', rowKey: null, row: null, baseRow: row({ n: 2 }) },
    ]);
  });
});

describe('tenantDifferences', () => {
  const ok = { isSuccess: true, rows: [row({ id: '1' })] };
  const failed = { isSuccess: false, rows: [] };
  it('says a tenant was added, removed, or changed outcome; rows only where both succeeded', () => {
    expect(tenantDifferences(T, undefined, ok).map((d) => d.changeType)).toEqual(['tenantAdded']);
    expect(tenantDifferences(T, ok, undefined).map((d) => d.changeType)).toEqual(['tenantRemoved']);
    expect(tenantDifferences(T, ok, failed)).toEqual([
      {
        targetTenantId: T,
        changeType: 'outcomeChanged',
        rowKey: null,
        row: null,
        baseRow: null,
        isSuccess: false,
        baseIsSuccess: true,
      },
    ]);
    expect(tenantDifferences(T, ok, ok)).toEqual([]);
  });
});

describe('parseDifferenceFilter', () => {
  const difference = (changeType: string, tenant = T) =>
    ({ targetTenantId: tenant, changeType }) as RunDifference;
  it('filters on changeType and targetTenantId with eq, ne, in, and, or, not', () => {
    const filter = parseDifferenceFilter(
      `changeType in ('added','removed') and not (targetTenantId eq ${T.toUpperCase()})`,
    );
    expect(filter(difference('added', '00000000-0000-0000-0000-000000000001'))).toBe(true);
    expect(filter(difference('added'))).toBe(false);
    expect(filter(difference('changed', '00000000-0000-0000-0000-000000000001'))).toBe(false);
    expect(
      parseDifferenceFilter("changeType ne 'changed' or changeType eq 'changed'")(difference('x')),
    ).toBe(true);
  });

  it('refuses anything else, at its position', () => {
    expect(() => parseDifferenceFilter('isSuccess eq true')).toThrow(
      /position 0: compareRuns filters/,
    );
    expect(() => parseDifferenceFilter("changeType gt 'a'")).toThrow(/compareRuns filters/);
    expect(() => parseDifferenceFilter("changeType eq 'moved'")).toThrow(
      /'moved' is not a changeType/,
    );
    expect(() => parseDifferenceFilter("targetTenantId eq 'x'")).toThrow(/GUID/);
  });
});
