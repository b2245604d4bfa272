import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  itWithOdataSpec,
  missingOdataSpec,
  odataSpecFile,
} from '../../../test/support/odata-spec-files';
import { InvalidQueryError } from './invalid-query.error';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_NODES,
  parseFilter,
  parseOrderBy,
  parseSelect,
} from './expression-parser';
import { parseSearch } from './search-parser';
import { Expression } from './syntax-tree';

interface AbnfTestCase {
  Name: string;
  Rule: string;
  Input: string;
  FailAt?: number;
}

const TESTCASES = 'odata-abnf-testcases.yaml';

/** How each ABNF rule maps to our parsers; the rules of $filter, $orderby and $search. */
const PARSERS: Record<string, (input: string) => unknown> = {
  commonExpr: parseFilter,
  boolCommonExpr: parseFilter,
  filter: (input) => parseFilter(input.replace(/^\$?filter=/i, '')),
  orderby: (input) => parseOrderBy(input.replace(/^\$?orderby=/i, '')),
  search: (input) => parseSearch(input.replace(/^\$?search=/i, '')),
  searchExpr: parseSearch,
};

/**
 * Test cases we skip, each with why: features of the grammar this entity set has no use for.
 * The model has no navigation properties, no functions or actions, no flags enums and no
 * type hierarchy, and we do not take JSON literals or parameter aliases in URLs.
 */
const SKIPPED: Array<[RegExp, string]> = [
  [/[[{]/, 'JSON array and object literals in URLs are not supported'],
  [
    /\$count|\$filter\(|\/\$/,
    'path segments like /$count and /$filter() need navigation properties',
  ],
  [/ has /, 'the has operator is for flags enums; logLevel is not one'],
  [/@/, 'annotations and parameter aliases in expressions are not supported'],
  [/\b(cast|isof)\(/i, 'type casts need a type hierarchy; the model has none'],
  [/\w\.\w+\(|\/\w+\(\)|\(\w+=/, 'bound functions and named arguments: the model has no functions'],
  [
    / in \(\w+\)|in \(\)/,
    'in takes a list of literals only (property operands in the list are not supported)',
  ],
  [/^\$filter= /, 'leading whitespace in an option value is tolerated, as Microsoft Graph does'],
];

function loadCases(): Array<AbnfTestCase & { skipReason?: string }> {
  const document = parseYaml(readFileSync(odataSpecFile(TESTCASES), 'utf8')) as {
    TestCases: AbnfTestCase[];
  };
  return document.TestCases.filter((testCase) => PARSERS[testCase.Rule]).map((testCase) => ({
    ...testCase,
    skipReason: SKIPPED.find(([pattern]) => pattern.test(testCase.Input))?.[1],
  }));
}

/** The ABNF cases are URL text; our parsers see the percent-decoded option value. */
function decoded(input: string): string {
  try {
    return decodeURIComponent(input);
  } catch {
    return input;
  }
}

describe('the OASIS ABNF test cases', () => {
  if (missingOdataSpec([TESTCASES]) !== undefined) {
    itWithOdataSpec([TESTCASES], 'parses and rejects them as the grammar says', () => undefined);
    return;
  }
  const cases = loadCases();
  const applicable = cases.filter((testCase) => !testCase.skipReason);
  const positive = applicable.filter((testCase) => testCase.FailAt === undefined);
  const negative = applicable.filter((testCase) => testCase.FailAt !== undefined);

  it('covers a meaningful share of the cases for our rules', () => {
    expect(positive.length).toBeGreaterThan(90);
    expect(negative.length).toBeGreaterThanOrEqual(8);
  });

  it.each(positive.map((testCase) => [`${testCase.Rule}: ${testCase.Input}`, testCase] as const))(
    'parses %s',
    (_, testCase) => {
      expect(() => PARSERS[testCase.Rule](decoded(testCase.Input))).not.toThrow();
    },
  );

  it.each(negative.map((testCase) => [`${testCase.Rule}: ${testCase.Input}`, testCase] as const))(
    'rejects %s with a position',
    (_, testCase) => {
      let error: unknown;
      try {
        PARSERS[testCase.Rule](decoded(testCase.Input));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidQueryError);
      expect(
        typeof (error as InvalidQueryError).position === 'number' ||
          (error as InvalidQueryError).message.includes('token'),
      ).toBe(true);
    },
  );

  it('lists what it skips, and why', () => {
    const skipped = cases.filter((testCase) => testCase.skipReason);
    expect(new Set(skipped.map((testCase) => testCase.skipReason)).size).toBeGreaterThan(0);
    for (const testCase of skipped) expect(testCase.skipReason).toEqual(expect.any(String));
  });
});

describe('parseFilter', () => {
  it('applies OData operator precedence: and before or, comparison before and', () => {
    const tree = parseFilter('a eq 1 or b eq 2 and not c') as Expression & { kind: 'logical' };
    expect(tree.operator).toBe('or');
    expect((tree.right as Expression & { kind: 'logical' }).operator).toBe('and');
  });

  it('parses literals of every type we use', () => {
    const literal = (text: string) =>
      (parseFilter(`x eq ${text}`) as { right: { literal: unknown } }).right.literal;
    expect(literal("'it''s'")).toEqual({ type: 'string', value: "it's" });
    expect(literal('5C4B2F8E-1D3A-4E6B-9F7C-2A8D0E1B3C4D')).toEqual({
      type: 'guid',
      value: '5C4B2F8E-1D3A-4E6B-9F7C-2A8D0E1B3C4D',
    });
    expect(literal('2026-01-31T12:00:00+01:00')).toEqual({
      type: 'dateTimeOffset',
      value: '2026-01-31T12:00:00+01:00',
    });
    expect(literal('2026-01-31')).toEqual({ type: 'date', value: '2026-01-31' });
    expect(literal('-4.5e2')).toMatchObject({ type: 'number', value: -450 });
    expect(literal('NULL')).toEqual({ type: 'null' });
    expect(literal('True')).toEqual({ type: 'boolean', value: true });
    expect(literal("microsoft.graph.logLevel'full'")).toEqual({
      type: 'typed',
      typeName: 'microsoft.graph.logLevel',
      value: 'full',
    });
  });

  it('parses paths into complex values and lambdas over collections', () => {
    expect(parseFilter('result/isSuccess')).toMatchObject({
      kind: 'member',
      path: [{ name: 'result' }, { name: 'isSuccess' }],
    });
    expect(parseFilter('result/tenantExceptions/any(e: e/tenantId eq null)')).toMatchObject({
      kind: 'lambda',
      operator: 'any',
      variable: 'e',
      collection: [{ name: 'result' }, { name: 'tenantExceptions' }],
    });
    expect(parseFilter('target/tenantIds/any()')).toMatchObject({
      kind: 'lambda',
      operator: 'any',
    });
    expect(parseFilter('target/tenantIds/any()')).not.toHaveProperty('variable');
  });

  it.each([
    ["status eq 'open", 10, 'no closing quote'],
    ['status eq', 9, 'an expression was expected'],
    ['(status eq 1', 12, "')' was expected"],
    ['status eq 1)', 11, "unexpected ')'"],
    ['status ~ 1', 7, "unexpected character '~'"],
    ['status eq (1, 2)', 10, 'only allowed after the in operator'],
    ['name in (name)', 9, 'only contain literals'],
  ])('rejects %p at position %p', (text, position, message) => {
    expect(() => parseFilter(text)).toThrow(message);
    try {
      parseFilter(text);
    } catch (error) {
      expect((error as InvalidQueryError).position).toBe(position);
    }
  });

  it('takes exactly MAX_EXPRESSION_DEPTH nested levels, as its message and the docs say', () => {
    const nested = (levels: number) => `${'('.repeat(levels)}a eq 1${')'.repeat(levels)}`;
    expect(MAX_EXPRESSION_DEPTH).toBe(32);
    expect(() => parseFilter(nested(16))).not.toThrow();
    expect(() => parseFilter(nested(MAX_EXPRESSION_DEPTH))).not.toThrow();
    expect(() => parseFilter(nested(MAX_EXPRESSION_DEPTH + 1))).toThrow(
      'the expression is nested deeper than 32 levels',
    );
    const call = (levels: number) => `${'tolower('.repeat(levels)}name${')'.repeat(levels)} eq 'x'`;
    expect(() => parseFilter(call(MAX_EXPRESSION_DEPTH))).not.toThrow();
    expect(() => parseFilter(call(MAX_EXPRESSION_DEPTH + 1))).toThrow(/nested deeper than 32/);
    expect(() => parseFilter(`${'not '.repeat(MAX_EXPRESSION_DEPTH + 1)}true`)).toThrow(
      /nested deeper than 32/,
    );
  });

  it('refuses expressions deeper or larger than the limits', () => {
    const deep = `${'('.repeat(MAX_EXPRESSION_DEPTH + 1)}true${')'.repeat(MAX_EXPRESSION_DEPTH + 1)}`;
    expect(() => parseFilter(deep)).toThrow(/nested deeper/);
    const wide = Array.from({ length: MAX_EXPRESSION_NODES }, (_, i) => `a eq ${i}`).join(' or ');
    expect(() => parseFilter(wide)).toThrow(/more than/);
    expect(() => parseFilter(`name eq '${'x'.repeat(5000)}'`)).toThrow(/longer than/);
  });
});

describe('parseOrderBy and parseSelect', () => {
  it('reads several keys with directions', () => {
    expect(
      parseOrderBy('createdDateTime desc, name,result/isSuccess ASC').map((item) => item.direction),
    ).toEqual(['desc', 'asc', 'asc']);
  });

  it('reads select paths with their positions', () => {
    expect(parseSelect('name, result/isSuccess')).toEqual([
      { path: [{ name: 'name', position: 0 }], position: 0 },
      {
        path: [
          { name: 'result', position: 6 },
          { name: 'isSuccess', position: 13 },
        ],
        position: 6,
      },
    ]);
    expect(() => parseSelect('name,,id')).toThrow(/not a property path/);
    expect(parseSelect('*')).toEqual([{ path: '*', position: 0 }]);
  });
});

describe('parseSearch', () => {
  it('gives NOT, then AND (also implied), then OR', () => {
    expect(parseSearch('a b OR NOT c')).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'term', text: 'a', position: 0 },
        right: { kind: 'term', text: 'b', position: 2 },
        position: 0,
      },
      right: { kind: 'not', operand: { kind: 'term', text: 'c', position: 11 }, position: 7 },
      position: 0,
    });
  });

  it('reads quoted phrases and parentheses', () => {
    expect(parseSearch('"baseline policy" AND (x OR y)')).toMatchObject({
      kind: 'and',
      left: { kind: 'term', text: 'baseline policy' },
    });
  });

  it.each(['"open', 'a AND', '(a', 'OR a', '""'])('rejects %p', (text) => {
    expect(() => parseSearch(text)).toThrow(InvalidQueryError);
  });
});
