import { InvalidRequestError } from '../common/errors';
import {
  boundaryOf,
  formatMultipartBatchResponse,
  MultipartBatchBody,
  parseMultipartBatch,
  PartResponse,
} from './multipart-batch';

const ORIGIN = 'https://api.contoso.test';

/** A multipart body from its lines, joined with CRLF as RFC 2046 writes them. */
const multipart = (...lines: string[]) => lines.join('\r\n');
const httpPart = (requestLine: string, extra: string[] = [], body?: string, contentId?: string) => [
  'Content-Type: application/http',
  'Content-Transfer-Encoding: binary',
  ...(contentId ? [`Content-ID: ${contentId}`] : []),
  '',
  requestLine,
  ...extra,
  '',
  ...(body === undefined ? [] : [body]),
];
const parse = (text: string, contentType = 'multipart/mixed; boundary=b') =>
  parseMultipartBatch(new MultipartBatchBody(contentType, text), ORIGIN);

describe('parseMultipartBatch', () => {
  it('reads requests and change sets in order, with their Content-IDs, as JSON batch items', () => {
    const batch = parse(
      multipart(
        'preamble, ignored',
        '--b',
        ...httpPart('GET managedTenantOperations?$top=1 HTTP/1.1', ['Accept: application/json']),
        '--b',
        'Content-Type: multipart/mixed; boundary="cs 1"',
        '',
        '--cs 1',
        ...httpPart(
          'POST /beta/managedTenantOperations HTTP/1.1',
          ['Content-Type: application/json', 'Content-Length: 13'],
          '{"name":"a"}',
          'new-1',
        ),
        '--cs 1',
        ...httpPart(`PATCH ${ORIGIN}/beta/managedTenantOperations/x HTTP/1.1`, [], '{}', '2'),
        '--cs 1--',
        '--b--',
        'epilogue, ignored',
      ),
    );
    expect(batch.items).toEqual([
      {
        id: '1',
        method: 'GET',
        url: 'managedTenantOperations?$top=1',
        headers: { accept: 'application/json' },
        body: undefined,
        dependsOn: [],
        atomicityGroup: undefined,
      },
      {
        id: '2',
        method: 'POST',
        url: 'managedTenantOperations',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"a"}',
        dependsOn: [],
        atomicityGroup: 'changeset-2',
      },
      {
        id: '3',
        method: 'PATCH',
        url: 'managedTenantOperations/x',
        headers: {},
        body: '{}',
        dependsOn: [],
        atomicityGroup: 'changeset-2',
      },
    ]);
    expect(batch.parts).toEqual([
      { kind: 'request', request: { id: '1', contentId: undefined } },
      {
        kind: 'changeset',
        requests: [
          { id: '2', contentId: 'new-1' },
          { id: '3', contentId: '2' },
        ],
      },
    ]);
  });

  it('takes lines that end with LF only, and padding after a delimiter', () => {
    const batch = parse(
      ['--b   ', ...httpPart('DELETE managedTenantOperations/x HTTP/1.1'), '--b--', ''].join('\n'),
    );
    expect(batch.items.map((item) => [item.method, item.url])).toEqual([
      ['DELETE', 'managedTenantOperations/x'],
    ]);
  });

  it.each([
    ['no boundary', multipart('--b', '--b--'), 'multipart/mixed', /needs a boundary/],
    [
      'no closing delimiter',
      multipart('--b', ...httpPart('GET x HTTP/1.1')),
      undefined,
      /closing delimiter --b--/,
    ],
    ['no part at all', 'nothing here', undefined, /no part delimited by --b/],
    [
      'a part that is not application/http',
      multipart('--b', 'Content-Type: application/json', '', '{}', '--b--'),
      undefined,
      /Part 1 of the batch must be application\/http/,
    ],
    [
      'a malformed request line',
      multipart('--b', ...httpPart('GET'), '--b--'),
      undefined,
      /'GET' is not a request line/,
    ],
    [
      'a change set inside a change set',
      multipart(
        '--b',
        'Content-Type: multipart/mixed; boundary=c',
        '',
        '--c',
        'Content-Type: multipart/mixed; boundary=d',
        '',
        '--d--',
        '--c--',
        '--b--',
      ),
      undefined,
      /cannot hold another one/,
    ],
    [
      'an absolute URL on another host',
      multipart(
        '--b',
        ...httpPart('GET https://evil.test/beta/managedTenantOperations HTTP/1.1'),
        '--b--',
      ),
      undefined,
      /is not on this service \(https:\/\/api\.contoso\.test\)/,
    ],
    [
      'a nested $batch, however spelled',
      multipart('--b', ...httpPart('POST /beta/./%24batch HTTP/1.1'), '--b--'),
      undefined,
      /cannot be another \$batch/,
    ],
    [
      'more than 20 requests',
      multipart(
        ...Array.from({ length: 21 }, () => ['--b', ...httpPart('GET x HTTP/1.1')]).flat(),
        '--b--',
      ),
      undefined,
      /at most 20 requests, not 21/,
    ],
  ])('refuses %s with a 400 that says what is wrong', (_, text, contentType, message) => {
    let error: unknown;
    try {
      parse(text, contentType);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('boundaryOf', () => {
  it.each([
    ['multipart/mixed; boundary=batch_1', 'batch_1'],
    ['multipart/mixed;boundary="a b:c"', 'a b:c'],
    ['multipart/mixed; charset=utf-8; BOUNDARY=x', 'x'],
    ['multipart/mixed', undefined],
  ])('reads %s as %p', (contentType, boundary) => expect(boundaryOf(contentType)).toBe(boundary));
});

describe('formatMultipartBatchResponse', () => {
  const parts = [
    { kind: 'request' as const, request: { id: '1', contentId: 'a' } },
    {
      kind: 'changeset' as const,
      requests: [
        { id: '2', contentId: 'b' },
        { id: '3', contentId: 'c' },
      ],
    },
    { kind: 'request' as const, request: { id: '4' } },
  ];
  const ok = (body: unknown): PartResponse => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body,
  });

  it('answers a part per request and a nested multipart per change set, with Content-IDs', () => {
    const { contentType, body } = formatMultipartBatchResponse(
      parts,
      new Map<string, PartResponse>([
        ['1', ok({ n: 1 })],
        ['2', { status: 201, headers: { location: 'x' }, body: { n: 2 } }],
        ['3', { status: 204, headers: {} }],
        ['4', ok('text')],
      ]),
    );
    const boundary = boundaryOf(contentType)!;
    expect(boundary).toMatch(/^batchresponse_/);
    const changeSet = /boundary=(changesetresponse_[\w-]+)/.exec(body)![1];
    expect(body).toBe(
      [
        `--${boundary}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        'Content-ID: a',
        '',
        'HTTP/1.1 200 OK',
        'content-type: application/json',
        '',
        '{"n":1}',
        `--${boundary}`,
        `Content-Type: multipart/mixed; boundary=${changeSet}`,
        '',
        `--${changeSet}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        'Content-ID: b',
        '',
        'HTTP/1.1 201 Created',
        'location: x',
        '',
        '{"n":2}',
        `--${changeSet}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        'Content-ID: c',
        '',
        'HTTP/1.1 204 No Content',
        '',
        '',
        `--${changeSet}--`,
        `--${boundary}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        'HTTP/1.1 200 OK',
        'content-type: application/json',
        '',
        'text',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
  });

  it('answers a failed change set with the one response of the request that failed, and stops where the batch stopped', () => {
    const { contentType, body } = formatMultipartBatchResponse(
      parts,
      new Map<string, PartResponse>([
        ['1', ok({})],
        ['2', { status: 424, headers: {}, body: { error: { code: 'failedDependency' } } }],
        ['3', { status: 400, headers: {}, body: { error: { code: 'invalidRequest' } } }],
      ]),
    );
    const boundary = boundaryOf(contentType)!;
    const sections = body.split(`--${boundary}`);
    // '', part 1, the change set's failure, '--' and the end.
    expect(sections).toHaveLength(4);
    expect(sections[2]).toContain('Content-ID: c');
    expect(sections[2]).toContain('HTTP/1.1 400 Bad Request');
    expect(sections[2]).not.toContain('changesetresponse');
    expect(body).not.toContain('failedDependency');
  });
});
