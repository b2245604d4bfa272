import { parseCount, parseQueryOptions, SERVED_OPTIONS, SystemOption } from './query-options';

const ALL = new Set<SystemOption>(SERVED_OPTIONS);

describe('parseQueryOptions', () => {
  it('makes $ optional and names case-insensitive, as Graph does', () => {
    const options = parseQueryOptions("filter=status%20eq%20'x'&$TOP=5&$OrderBy=name", ALL).system;
    expect([...options]).toEqual([
      ['filter', "status eq 'x'"],
      ['top', '5'],
      ['orderby', 'name'],
    ]);
  });

  it('reads + as a space and %2B as a plus sign, as Graph does, and ignores custom options', () => {
    const options = parseQueryOptions(
      '$filter=a+gt%202026-01-01T00:00:00%2B01:00&api-version=2&@p=1',
      ALL,
    ).system;
    expect(options.get('filter')).toBe('a gt 2026-01-01T00:00:00+01:00');
    expect(options.size).toBe(1);
  });

  it.each([
    ['$filter=a&filter=b', 'more than once'],
    ['$TOP=1&$top=2', 'more than once'],
    ['$foo=1', 'not a system query option'],
    ['$expand=x', 'not supported'],
    ['$filter=%E0%A4%A', 'percent-encoding'],
  ])('rejects %s', (query, message) => {
    expect(() => parseQueryOptions(query, ALL)).toThrow(message);
  });

  it('reads counts within limits', () => {
    expect(parseCount('$top', '999', 999)).toBe(999);
    expect(() => parseCount('$top', '1000', 999)).toThrow(/maximum of 999/);
    expect(() => parseCount('$top', '-1')).toThrow(/non-negative/);
    expect(() => parseCount('$top', '1.5')).toThrow(/non-negative/);
  });
});
