import {
  DEFAULT_AGGREGATION_LIMIT,
  InvalidStatementError,
  MAX_STATEMENTS,
  parseAggregation,
  parseStatements,
} from './statements';

describe('parseStatements', () => {
  it('reads one Graph request per line, with headers, query and body', () => {
    const statements = parseStatements(
      [
        '[ConsistencyLevel: eventual] GET /v1.0/users?$count=true&$top=5',
        '',
        '  GET /beta/users?$filter=accountEnabled eq true&$select=id',
        'POST /beta/groups/0b1c/members/$ref {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/1"}',
        '[Prefer: return=minimal; If-Match: *] PATCH /v1.0/users/1 {"jobTitle": "x y"}',
        'DELETE /v1.0/groups/2',
      ].join('\n'),
    );
    expect(statements.map(({ method, path, line }) => [method, path, line])).toEqual([
      ['GET', '/v1.0/users?$count=true&$top=5', 1],
      ['GET', '/beta/users?$filter=accountEnabled%20eq%20true&$select=id', 3],
      ['POST', '/beta/groups/0b1c/members/$ref', 4],
      ['PATCH', '/v1.0/users/1', 5],
      ['DELETE', '/v1.0/groups/2', 6],
    ]);
    expect(statements[0].headers).toEqual([['ConsistencyLevel', 'eventual']]);
    expect(statements[3].headers).toEqual([
      ['Prefer', 'return=minimal'],
      ['If-Match', '*'],
    ]);
    expect(JSON.parse(statements[2].body!)).toEqual({
      '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/1',
    });
    expect(statements[0].body).toBeUndefined();
  });

  it.each([
    ['', 1, 1, 'no Graph request'],
    ['Set-Baseline', 1, 1, "'Set-Baseline' is not one of GET"],
    ['GET users', 1, 5, 'does not start with /v1.0/ or /beta/'],
    ['GET https://evil.example/v1.0/users', 1, 5, 'not absolute URLs'],
    ['GET //evil.example/v1.0/users', 1, 5, 'not absolute URLs'],
    ['GET /v1.0/../../admin', 1, 11, "the segment '..' would leave the path"],
    ['GET /v1.0/%2e%2e/admin', 1, 11, "the segment '%2e%2e' would leave the path"],
    ['GET /v1.0/users%2F..%2Fx', 1, 11, 'would leave the path'],
    ['GET /v1.0//users', 1, 11, 'empty segment'],
    ['GET /v1.0/users\\x', 1, 16, 'cannot be in a path'],
    ['GET /v1.0/users#x', 1, 16, "'#' cannot be in a path"],
    ['GET /v1.0/us ers', 1, 13, 'cannot be in a path'],
    ['GET /v1.0/us\u0001ers', 1, 13, 'cannot be in a path'],
    ['[A: b\u0007] GET /v1.0/users', 1, 2, 'control character'],
    ['GET /v1.0/users {"a":1}', 1, 17, 'a GET request has no body'],
    ['POST /v1.0/users {"a":', 1, 18, 'not a JSON object or array'],
    ['POST /v1.0/users [1', 1, 18, 'not a JSON object or array'],
    ['[ConsistencyLevel eventual] GET /v1.0/users', 1, 2, 'is not a header'],
    ['[Authorization: Bearer x] GET /v1.0/users', 1, 2, "the header 'Authorization'"],
    ['[Host: evil] GET /v1.0/users', 1, 2, "the header 'Host'"],
    ['[A: b GET /v1.0/users', 1, 1, "no closing ']'"],
    ['GET /v1.0/users\nGOT /v1.0/groups', 2, 1, "'GOT' is not one of"],
    ['GTE /v1.0/users', 1, 1, "'GTE' is not one of"],
    ['GET /v1.0/users?$top=5 please', 1, 22, "$top must be a whole number, not '5 please'"],
    ['GET /v1.0/users?$count=yes', 1, 24, '$count must be true or false'],
    ['GET /v1.0/users?$filter=a eq 1&$top x=1', 1, 32, "'$top x' is not a query option name"],
  ])('refuses %j at line %i, column %i', (text, line, column, message) => {
    let error: unknown;
    try {
      parseStatements(text);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidStatementError);
    expect((error as InvalidStatementError).message).toContain(message);
    expect({
      line: (error as InvalidStatementError).line,
      column: (error as InvalidStatementError).column,
    }).toEqual({ line, column });
  });

  it(`runs at most ${MAX_STATEMENTS} requests in each tenant`, () => {
    const text = Array.from({ length: MAX_STATEMENTS + 1 }, () => 'GET /v1.0/me').join('\n');
    expect(() => parseStatements(text)).toThrow(`at most ${MAX_STATEMENTS}`);
  });
});

describe('the live service’s @sys.normalize', () => {
  it('reads headers and request from one bracket, as the bracketed form', () => {
    const [statement] = parseStatements(
      '@sys.normalize([ConsistencyLevel: eventual GET /v1.0/users?$top=5&$search="displayName:x"])',
    );
    expect(statement).toEqual(
      parseStatements(
        '[ConsistencyLevel: eventual] GET /v1.0/users?$top=5&$search="displayName:x"',
      )[0],
    );
    expect(parseStatements('@sys.normalize([GET /v1.0/organization])')[0]).toMatchObject({
      method: 'GET',
      path: '/v1.0/organization',
      headers: [],
    });
  });

  it('tells a mistake at its column in the text as written', () => {
    const written =
      '@sys.normalize([ConsistencyLevel: eventual GET https://evil.example/v1.0/users])';
    expect(() => parseStatements(written)).toThrow(
      `at line 1, column ${written.indexOf('https') + 1}:`,
    );
  });
});

describe('parseAggregation', () => {
  it('appends every tenant’s rows, up to N or the default', () => {
    expect(parseAggregation('@sys.append([/result],50)')).toEqual({ kind: 'append', limit: 50 });
    expect(parseAggregation('@sys.append([/result], 50)')).toEqual({ kind: 'append', limit: 50 });
    expect(parseAggregation(' @sys.append( [ /result ] ,7 ) ')).toEqual({
      kind: 'append',
      limit: 7,
    });
    expect(parseAggregation('')).toEqual({ kind: 'append', limit: DEFAULT_AGGREGATION_LIMIT });
    expect(parseAggregation(null)).toEqual({ kind: 'append', limit: DEFAULT_AGGREGATION_LIMIT });
  });

  it.each([
    ['Sum', 'is not'],
    ['@sys.append([/result])', 'is not'],
    ['@sys.append([/result], 0)', 'from 1 to'],
    ['@sys.append([/result], 10001)', 'from 1 to'],
  ])('refuses %j', (text, message) => {
    expect(() => parseAggregation(text)).toThrow(message);
  });
});
