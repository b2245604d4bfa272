import { managedTenantOperation, managedTenantOperationResult } from '../../edm/model';
import { MAX_EXPANDED_ITEMS, parseExpand } from './expand';
import { QueryChecker } from './query-checker';

const checker = new QueryChecker({ entity: managedTenantOperation, dynamicColumn: 'dynamic' });
const expand = (text: string) =>
  parseExpand(text, managedTenantOperation, (target) => checker.forEntity(target));

describe('parseExpand', () => {
  it('reads navigations with nested options, checked against the target', () => {
    const [results, requests] = expand(
      "results($filter=isSuccess eq false and contains(exception,'a;b');$top=5;$count=true;$select=isSuccess,exception;$orderby=createdDateTime),httpRequests",
    );
    expect(results.name).toBe('results');
    expect(results.target).toBe(managedTenantOperationResult);
    expect(results.top).toBe(5);
    expect(results.topGiven).toBe(true);
    expect(results.query.count).toBe(true);
    expect(results.query.filter?.kind).toBe('logical');
    expect(results.query.select?.map((item) => item.property)).toEqual(['isSuccess', 'exception']);
    expect(results.query.orderBy[0].path).toBe('createdDateTime');
    expect(results.selectText).toBe('isSuccess,exception');
    expect(requests).toMatchObject({
      name: 'httpRequests',
      top: MAX_EXPANDED_ITEMS,
      topGiven: false,
    });
  });

  it('takes option names without $ and in any case, as Graph does', () => {
    const [results] = expand('results(TOP=2;count=TRUE)');
    expect(results.top).toBe(2);
    expect(results.query.count).toBe(true);
  });

  it.each([
    ['result', 'not a navigation property'],
    ['managedTenantOperation', 'not a navigation property'],
    ['*', 'not supported'],
    ['results/managedTenantOperation', 'not supported'],
    ['results($expand=x)', 'one level deep'],
    ['results($levels=max)', 'one level deep'],
    ['results($top=2;$top=3)', 'more than once'],
    ['results($top=1000)', 'maximum of 100'],
    ['results($filter=result eq 1)', 'is a collection'],
    ['results($select=nothing/here)', 'nothing'],
    ['results(', 'not closed'],
    ['results)', 'not opened'],
    ['results,', 'empty'],
  ])('refuses %s', (text, message) => {
    expect(() => expand(text)).toThrow(message);
  });
});
