import { changedProperties } from './changes';
import { changeLabel, fieldChanges } from './compare';
import { durationBetween } from './dates';
import { allOf, containsText, linkPath, queryString, quote } from './odata';
import { hrefOf, parseRoute, Route } from './routes';
import { rowsTable } from './rows';
import { actionsFor, progressOf, retriesIn, RunCounts } from './run-progress';
import { defaultScheduleFields, fieldsOf, scheduleOf } from './schedule-form';
import { normalizeStatements, offsetOf, statementErrorPosition } from './statements';
import { outcomeFilter, outcomeOf, tenantFigures } from './tenant-result';

const run = (counts: Partial<RunCounts>): RunCounts => ({
  runNumber: 1,
  status: 'running',
  tenantCount: 10,
  succeededTenantCount: 0,
  failedTenantCount: 0,
  notRunTenantCount: 0,
  callCount: 0,
  ...counts,
});

describe('OData URL pieces', () => {
  it('quotes a literal, doubling its single quotes', () => {
    expect(quote("O'Brien's")).toBe("'O''Brien''s'");
  });
  it('encodes each option and leaves out empty ones', () => {
    expect(
      queryString({ $top: 50, $filter: "name eq 'a&b'", $search: '', $count: undefined }),
    ).toBe("?$top=50&$filter=name%20eq%20'a%26b'");
    expect(queryString({})).toBe('');
  });
  it('joins clauses with and, in parentheses, and searches case-insensitively', () => {
    expect(allOf(undefined, 'a eq 1', false)).toBe('a eq 1');
    expect(allOf('a eq 1', 'b eq 2')).toBe('(a eq 1) and (b eq 2)');
    expect(allOf()).toBeUndefined();
    expect(containsText('name', "  Bob's ")).toBe("contains(tolower(name),'bob''s')");
    expect(containsText('name', ' ')).toBeUndefined();
  });
  it('turns an absolute or relative link of the API into a path under its root', () => {
    expect(
      linkPath('http://127.0.0.1:3000/beta/managedTenantOperations?$skiptoken=x', '/beta'),
    ).toBe('managedTenantOperations?$skiptoken=x');
    expect(linkPath('managedTenantOperations/delta?$deltatoken=y', '/beta')).toBe(
      'managedTenantOperations/delta?$deltatoken=y',
    );
  });
});

describe('statements', () => {
  it("reads the line and column of the API's 400", () => {
    expect(
      statementErrorPosition(
        "Invalid operationDefinition.value at line 2, column 11: the segment '..' would leave the path",
      ),
    ).toEqual({ line: 2, column: 11 });
    expect(statementErrorPosition('name is required')).toBeUndefined();
  });
  it('places the caret at that line and column', () => {
    const text = 'GET /v1.0/users\nGET /v1.0/../x';
    expect(offsetOf(text, { line: 2, column: 11 })).toBe(16 + 10);
    expect(text[offsetOf(text, { line: 2, column: 11 })]).toBe('.');
    expect(offsetOf(text, { line: 9, column: 99 })).toBeLessThanOrEqual(text.length);
  });
  it('drops blank lines and surrounding blanks', () => {
    expect(normalizeStatements('  GET /v1.0/users \r\n\n GET /v1.0/groups')).toBe(
      'GET /v1.0/users\nGET /v1.0/groups',
    );
  });
});

describe('run progress', () => {
  it('counts pending tenants while the run goes, and the percentage done', () => {
    const view = progressOf(
      run({ succeededTenantCount: 4, failedTenantCount: 1, notRunTenantCount: 1, callCount: 9 }),
    );
    expect(view).toMatchObject({
      total: 10,
      done: 6,
      pending: 4,
      percent: 60,
      calls: 9,
      running: true,
    });
  });
  it('has nothing pending once the run ended', () => {
    const view = progressOf(
      run({ status: 'cancelled', succeededTenantCount: 2, notRunTenantCount: 3 }),
    );
    expect(view).toMatchObject({ pending: 0, done: 10, percent: 100, running: false });
  });
  it("reads the retried calls from the operation's execution info while running, the run's after", () => {
    expect(
      retriesIn(
        'Run 1 running: 3 of 5 tenants done (3 succeeded, 0 failed), 2 pending; 14 calls (2 retried); 3.1 s.',
      ),
    ).toBe(2);
    expect(retriesIn(undefined)).toBe(0);
    expect(progressOf(run({}), '… 14 calls (5 retried); 1 s.').retries).toBe(5);
    expect(
      progressOf(
        run({ status: 'succeeded', executionInfo: '3 calls (1 retried)' }),
        '… (5 retried)',
      ).retries,
    ).toBe(1);
  });
  it('enables Run, Cancel run and Run failed tenants again only when they apply', () => {
    expect(actionsFor('created', undefined)).toEqual({
      run: true,
      cancel: false,
      runFailedAgain: false,
    });
    expect(actionsFor('running', run({}))).toEqual({
      run: false,
      cancel: true,
      runFailedAgain: false,
    });
    expect(actionsFor('failed', run({ status: 'failed', failedTenantCount: 2 }))).toEqual({
      run: false,
      cancel: false,
      runFailedAgain: true,
    });
    expect(actionsFor('succeeded', run({ status: 'succeeded', succeededTenantCount: 10 }))).toEqual(
      {
        run: true,
        cancel: false,
        runFailedAgain: false,
      },
    );
  });
});

describe('tenant results', () => {
  it('reads rows and time from the execution info', () => {
    expect(tenantFigures('1 request, 4 calls (1 retried), 1,040 rows, 0.3 s')).toEqual({
      rows: 1040,
      duration: '0.3 s',
    });
    expect(tenantFigures('1 request, 1 call, 1 row, 12 s.')).toEqual({ rows: 1, duration: '12 s' });
    expect(tenantFigures(null)).toEqual({});
  });
  it('tells a failure from a tenant that was not run, and filters by either', () => {
    expect(outcomeOf({ isSuccess: true })).toBe('succeeded');
    expect(outcomeOf({ isSuccess: false, exception: 'GET /v1.0/users answered 403' })).toBe(
      'failed',
    );
    expect(
      outcomeOf({ isSuccess: false, exception: 'Not run: the operation was cancelled.' }),
    ).toBe('notRun');
    expect(outcomeFilter('failed')).toBe(
      "isSuccess eq false and not startswith(exception,'Not run')",
    );
    expect(outcomeFilter('')).toBeUndefined();
  });
});

describe('routes', () => {
  it('reads every place from the fragment and writes it back', () => {
    const routes: Route[] = [
      { view: 'operations' },
      { view: 'newOperation' },
      { view: 'editOperation', id: 'a b' },
      { view: 'operation', id: 'x', tab: 'history' },
      { view: 'operation', id: 'x', tab: 'rows', run: 3 },
      { view: 'tenantResult', id: 'x', resultId: 'r' },
      { view: 'compare', id: 'x', base: 1, run: 2 },
      { view: 'tenants' },
      { view: 'groups' },
      { view: 'group', id: 'g' },
      { view: 'audit' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
  });
  it('takes anything else for the list of operations, and an unknown tab for Tenants', () => {
    expect(parseRoute('')).toEqual({ view: 'operations' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'operations' });
    expect(parseRoute('#/operations/x/bogus?run=-1')).toEqual({
      view: 'operation',
      id: 'x',
      tab: 'tenants',
      run: undefined,
    });
  });
});

describe('schedules', () => {
  const fallback = defaultScheduleFields(new Date(2027, 0, 4), 'Europe/Berlin');
  it('starts daily at 06:00 in the browser time zone, from today', () => {
    expect(scheduleOf(fallback)).toEqual({
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'noEnd', startDate: '2027-01-04', recurrenceTimeZone: 'Europe/Berlin' },
      },
      timeOfDay: '06:00',
      overlapPolicy: 'skip',
      pauseOnFailure: false,
      isPaused: false,
    });
  });
  it('sends only the members the pattern uses, and reads back what the API gives', () => {
    const weekly = scheduleOf({
      ...fallback,
      patternType: 'weekly',
      daysOfWeek: ['monday', 'thursday'],
      dayOfMonth: 9,
    });
    expect(weekly.recurrence?.pattern).toEqual({
      type: 'weekly',
      interval: 1,
      daysOfWeek: ['monday', 'thursday'],
    });
    const monthly = scheduleOf({ ...fallback, patternType: 'absoluteMonthly', dayOfMonth: 15 });
    expect(monthly.recurrence?.pattern).toEqual({
      type: 'absoluteMonthly',
      interval: 1,
      dayOfMonth: 15,
    });
    const read = fieldsOf(
      { ...weekly, timeOfDay: '06:00:00.0000000', upcomingRunDateTimes: [] },
      fallback,
    );
    expect(read).toMatchObject({
      patternType: 'weekly',
      daysOfWeek: ['monday', 'thursday'],
      timeOfDay: '06:00',
      timeZone: 'Europe/Berlin',
    });
  });
});

describe('comparison and rows', () => {
  it('marks the fields that changed, leaving out _TenantId and annotations', () => {
    const changes = fieldChanges(
      '{"id":"1","displayName":"Ann","_TenantId":"t","@odata.type":"x"}',
      '{"id":"1","displayName":"Anne","mail":"a@x"}',
    );
    expect(changes).toEqual([
      { name: 'id', before: '1', after: '1', changed: false },
      { name: 'displayName', before: 'Ann', after: 'Anne', changed: true },
      { name: 'mail', before: '', after: 'a@x', changed: true },
    ]);
    expect(changeLabel('outcomeChanged')).toBe('Outcome changed');
  });
  it('makes one table of rows, columns in the order first seen, values as text', () => {
    const table = rowsTable([
      { tenant: 'Contoso', rows: ['{"_TenantId":"t","a":1,"b":{"c":2}}', 'not json'] },
      { tenant: 'Fabrikam', rows: ['{"d":null,"a":"x"}'] },
    ]);
    expect(table.columns).toEqual(['Tenant', 'a', 'b', 'value', 'd']);
    expect(table.rows).toEqual([
      { Tenant: 'Contoso', a: '1', b: '{"c":2}' },
      { Tenant: 'Contoso', value: 'not json' },
      { Tenant: 'Fabrikam', d: '', a: 'x' },
    ]);
  });
  it('says how long a run took', () => {
    expect(durationBetween('2027-01-01T00:00:00Z', '2027-01-01T00:00:01.500Z')).toBe('1.5 s');
    expect(durationBetween('2027-01-01T00:00:00Z', '2027-01-01T00:02:05Z')).toBe('2 min 5 s');
    expect(durationBetween('2027-01-01T00:00:00Z', null)).toBe('');
  });
});

describe('an edit sends what changed', () => {
  it('keeps only the top-level properties that differ, nested values compared whole', () => {
    const before = {
      name: 'Admins',
      description: '',
      target: { allTenants: true, tenantIds: [] },
      operationDefinition: { value: 'GET /v1.0/users', logLevel: 'summary' },
    };
    expect(changedProperties(before, { ...before, description: 'Was too slow' })).toEqual({
      description: 'Was too slow',
    });
    expect(
      changedProperties(before, { ...before, target: { allTenants: false, tenantIds: ['a'] } }),
    ).toEqual({ target: { allTenants: false, tenantIds: ['a'] } });
    expect(changedProperties(before, { ...before })).toEqual({});
  });
});
