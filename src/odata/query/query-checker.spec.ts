import { DYNAMIC_PROPERTIES_COLUMN } from '../../database/entity-schema';
import { managedTenantOperation } from '../../edm/model';
import { parseFilter, parseOrderBy, parseSelect } from './expression-parser';
import { InvalidQueryError } from './invalid-query.error';
import { QueryChecker } from './query-checker';

const checker = new QueryChecker({
  entity: managedTenantOperation,
  dynamicColumn: DYNAMIC_PROPERTIES_COLUMN,
});
const checkFilter = (text: string) => checker.checkFilter(parseFilter(text));
const GUID = '5c4b2f8e-1d3a-4e6b-9f7c-2a8d0e1b3c4d';

describe('QueryChecker', () => {
  it.each([
    "status eq 'running' and target/allTenants eq true",
    'result/isSuccess',
    `partnerTenantId eq ${GUID}`,
    `partnerTenantId eq '${GUID}'`,
    "operationDefinition/logLevel eq 'full'",
    "operationDefinition/logLevel eq microsoft.graph.logLevel'summary'",
    'createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt now()',
    'year(createdDateTime) eq 2026 and date(lastModifiedDateTime) ge 2026-01-01',
    `target/tenantIds/any(t: t eq ${GUID})`,
    `result/tenantExceptions/any(e: e/tenantId eq ${GUID} and contains(e/exception, 'x'))`,
    "operationDefinition/lambdaDefinitions/all(l: l/type gt 1 or l/id eq 'a')",
    "status in ('running', 'failed', null)",
    "ticket eq 'INC-1' and attempts gt 2",
    "length(trim(concat(name, description))) gt 3 and indexof(tolower(name), 'a') ge 0",
    "substring(name, 1) eq 'x' and substring(name, 1, 2) eq 'y' and toupper(status) ne 'X'",
    'result/tenantExceptions/any()',
    'lambdaCount add 1 gt 2 mul 3',
  ])('accepts %s', (text) => {
    expect(() => checkFilter(text)).not.toThrow();
  });

  it.each([
    ['nope/sub eq 1', "'nope' is not a property"],
    [
      'result/nope eq 1',
      "'nope' is not a property of microsoft.graph.managedTenantOperationAggregateResult",
    ],
    [`partnerTenantId eq 5`, 'cannot compare Edm.Guid with Edm.Int32'],
    ["partnerTenantId eq 'not-a-guid'", 'cannot compare Edm.Guid with Edm.String'],
    ["contains(result/isSuccess, 'x')", 'contains does not take Edm.Boolean'],
    ["credentials/dapAccessToken eq 'x'", "'credentials' cannot be used"],
    ['credentials eq null', "'credentials' cannot be used"],
    ["operationDefinition/logLevel eq 'verbose'", "'verbose' is not a member"],
    ["operationDefinition/logLevel eq microsoft.graph.nope'x'", 'not supported'],
    ['result eq null', 'complex value'],
    [`target/tenantIds eq ${GUID}`, 'is a collection'],
    ['status/any(s: s eq 1)', 'not a collection'],
    ['status', 'a Boolean condition was expected'],
    ['name gt null', 'null can only be compared with eq or ne'],
    ['target/allTenants gt true', 'gt is not defined for Edm.Boolean'],
    ["matchesPattern(name, 'x')", 'the function matchesPattern is not supported'],
    ['substring(name)', 'substring takes 2 or 3 arguments'],
    ["target/tenantIds/any(name: name eq 'x')", 'hides another name'],
  ])('rejects %s: %s', (text, message) => {
    expect(() => checkFilter(text)).toThrow(InvalidQueryError);
    expect(() => checkFilter(text)).toThrow(message);
  });

  it('orders by the given keys, then by id, and refuses what cannot be sorted', () => {
    const keys = checker.checkOrderBy(parseOrderBy('status desc, result/isSuccess'));
    expect(keys.map((key) => [key.path, key.direction, key.nullable])).toEqual([
      ['status', 'desc', false],
      ['result/isSuccess', 'asc', true],
      ['id', 'asc', false],
    ]);
    expect(() => checker.checkOrderBy(parseOrderBy('credentials/dapAccessToken'))).toThrow(
      /cannot be used/,
    );
    expect(() => checker.checkOrderBy(parseOrderBy('tolower(name)'))).toThrow(
      /only property paths/,
    );
    expect(() => checker.checkOrderBy(parseOrderBy('target/tenantIds'))).toThrow(/collection/);
  });

  it('checks $select paths, and never lets credentials be selected', () => {
    expect(checker.checkSelect(parseSelect('name,result/isSuccess,ticket'))).toEqual([
      { property: 'name' },
      { property: 'result', subProperty: 'isSuccess' },
      { property: 'ticket' },
    ]);
    expect(checker.checkSelect(parseSelect('*'))).toBeUndefined();
    expect(() => checker.checkSelect(parseSelect('credentials'))).toThrow(/cannot be selected/);
    expect(() => checker.checkSelect(parseSelect('credentials/dapAccessToken'))).toThrow(
      /cannot be selected/,
    );
    expect(() => checker.checkSelect(parseSelect('result/nope'))).toThrow(/not a property/);
    expect(() => checker.checkSelect(parseSelect('ticket/sub'))).toThrow(/not a property/);
  });
});
