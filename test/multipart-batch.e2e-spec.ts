import { randomUUID } from 'node:crypto';
import {
  BatchRequestSpec,
  jsonBatch,
  multipartBatch,
  MultipartResponsePart,
  readMultipartResponse,
} from './support/multipart';
import { newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * $batch in OData 4.0's multipart/mixed format (Protocol §11.7), which SAP Cloud SDK and o.js send,
 * beside the JSON format: one execution, the same limits, answers in the request's format.
 */
describe('POST /beta/$batch as multipart/mixed', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  const sendMultipart = async (
    target: TestApp,
    requests: readonly BatchRequestSpec[],
    headers: Record<string, string> = {},
  ) => {
    const { contentType, body } = multipartBatch(requests);
    const response = await target.inject({
      method: 'POST',
      url: '/beta/$batch',
      headers: { 'content-type': contentType, ...headers },
      payload: body,
    });
    return response;
  };
  const parts = (response: { headers: Record<string, unknown>; body: string }) =>
    readMultipartResponse(String(response.headers['content-type']), response.body);
  const count = async (target: TestApp) => Number((await target.get(`${ENTITY_SET}/$count`)).body);

  /** What two runs of the same requests must agree on: no ids, times, ETags or request ids. */
  const VOLATILE = ['id', 'createdDateTime', 'lastModifiedDateTime', '@odata.etag', 'requestId'];
  const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  /** What two runs of the same requests must agree on: no ids, times, ETags or request ids. */
  const comparable = (status: number | undefined, body: unknown) => ({
    status,
    body: JSON.parse(
      JSON.stringify(body ?? null, (key, value: unknown) =>
        VOLATILE.includes(key) || ['date', 'request-id', 'client-request-id'].includes(key)
          ? undefined
          : typeof value === 'string'
            ? value.replace(GUID, '<guid>')
            : value,
      ),
    ),
  });

  it('answers the same requests as the JSON format does, in multipart/mixed, change sets included', async () => {
    // Two fresh services, one per format, each with one operation to work on.
    const [forJson, forMultipart] = await Promise.all([TestApp.start(), TestApp.start()]);
    try {
      const script = (existing: string): BatchRequestSpec[] => [
        {
          method: 'POST',
          url: 'managedTenantOperations',
          body: newOperation({ name: 'in a set', status: 'mp' }),
          group: 'g1',
        },
        {
          method: 'POST',
          url: 'managedTenantOperations',
          body: newOperation({ name: 'in a set too', status: 'mp' }),
          group: 'g1',
        },
        {
          method: 'GET',
          url: "managedTenantOperations?$filter=status eq 'mp'&$orderby=name&$select=name,status&$count=true",
        },
        {
          method: 'PATCH',
          url: `managedTenantOperations/${existing}`,
          body: { description: 'patched in a batch' },
        },
        { method: 'GET', url: `/beta/managedTenantOperations('${existing}')?$select=description` },
        { method: 'DELETE', url: `managedTenantOperations/${existing}` },
        { method: 'GET', url: `managedTenantOperations/${existing}` },
      ];
      const existingIn = async (target: TestApp) =>
        (await target.post(newOperation({ name: 'existing' }))).json().id as string;

      const jsonRequests = script(await existingIn(forJson));
      const json = await forJson.inject({
        method: 'POST',
        url: '/beta/$batch',
        payload: jsonBatch(
          jsonRequests.map((request) => ({
            ...request,
            url: request.url.replace(/^\/beta\//, ''),
          })),
        ),
      });
      expect(json.statusCode).toBe(200);
      const jsonResponses = json.json().responses as Array<{ status: number; body?: unknown }>;

      const multipart = await sendMultipart(forMultipart, script(await existingIn(forMultipart)), {
        prefer: 'odata.continue-on-error',
      });
      expect(multipart.statusCode).toBe(200);
      expect(multipart.headers['content-type']).toMatch(
        /^multipart\/mixed; boundary=batchresponse_/,
      );
      const multipartResponses: MultipartResponsePart[] = parts(multipart).flatMap(
        (part) => part.changeSet ?? [part],
      );
      expect(parts(multipart)[0].changeSet).toHaveLength(2);
      expect(multipartResponses.map((part) => part.contentId)).toEqual([
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
      ]);

      expect(multipartResponses.map((part) => comparable(part.status, part.body))).toEqual(
        jsonResponses.map((response) => comparable(response.status, response.body)),
      );
      expect(jsonResponses.map((response) => response.status)).toEqual([
        201, 201, 200, 200, 200, 204, 404,
      ]);
      expect(await count(forMultipart)).toBe(await count(forJson));
    } finally {
      await Promise.all([forJson.dispose(), forMultipart.dispose()]);
    }
  });

  it('applies a change set together or not at all, answering its failure alone', async () => {
    const before = await count(app);
    const response = await sendMultipart(app, [
      { method: 'POST', url: 'managedTenantOperations', body: newOperation(), group: 'g' },
      {
        method: 'POST',
        url: 'managedTenantOperations',
        body: { name: 'no partnerTenantId' },
        group: 'g',
      },
    ]);
    expect(response.statusCode).toBe(200);
    const answer = parts(response);
    expect(answer).toHaveLength(1);
    expect(answer[0].changeSet).toBeUndefined();
    expect(answer[0]).toMatchObject({ contentId: '2', status: 400 });
    expect((answer[0].body as { error: { code: string } }).error.code).toBe('invalidRequest');
    expect(await count(app)).toBe(before);
  });

  it('stops at the first failed request by default, and goes on with Prefer: odata.continue-on-error', async () => {
    const requests: BatchRequestSpec[] = [
      { method: 'GET', url: `managedTenantOperations/${randomUUID()}` },
      { method: 'POST', url: 'managedTenantOperations', body: newOperation() },
    ];
    const before = await count(app);
    const stopped = await sendMultipart(app, requests);
    expect(parts(stopped).map((part) => part.status)).toEqual([404]);
    expect(stopped.headers['preference-applied']).toBeUndefined();
    expect(await count(app)).toBe(before);

    const goneOn = await sendMultipart(app, requests, { prefer: 'odata.continue-on-error' });
    expect(parts(goneOn).map((part) => part.status)).toEqual([404, 201]);
    expect(goneOn.headers['preference-applied']).toBe('odata.continue-on-error');
    expect(await count(app)).toBe(before + 1);
  });

  it.each([
    [
      'more than 20 requests',
      Array.from({ length: 21 }, () => ({ method: 'GET', url: 'managedTenantOperations' })),
      /at most 20 requests/,
    ],
    [
      'a nested $batch',
      [{ method: 'POST', url: './$batch', body: {} }],
      /cannot be another \$batch/,
    ],
    [
      'an absolute URL on another host',
      [{ method: 'GET', url: 'http://evil.test/beta/managedTenantOperations' }],
      /is not on this service/,
    ],
  ])('refuses %s with 400, running nothing', async (_, requests, message) => {
    const before = await count(app);
    const response = await sendMultipart(app, requests as BatchRequestSpec[]);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalidRequest');
    expect(response.json().error.message).toMatch(message);
    expect(await count(app)).toBe(before);
  });

  it('refuses a malformed body with 400, multipart to any other route with 415, and an anonymous batch with 401', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/beta/$batch',
      headers: { 'content-type': 'multipart/mixed; boundary=b' },
      payload:
        '--b\r\nContent-Type: application/http\r\n\r\nGET managedTenantOperations HTTP/1.1\r\n',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/closing delimiter --b--/);
    const { contentType, body } = multipartBatch([
      { method: 'GET', url: 'managedTenantOperations' },
    ]);
    const elsewhere = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      headers: { 'content-type': contentType },
      payload: body,
    });
    expect(elsewhere.statusCode).toBe(415);
    const anonymous = await app.anonymous({
      method: 'POST',
      url: '/beta/$batch',
      headers: { 'content-type': contentType },
      payload: body,
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('is declared in $metadata: BatchSupport with both formats and continue-on-error', async () => {
    const csdl = (await app.get('/beta/$metadata?$format=json')).json();
    const support = csdl['microsoft.graph'].GraphService['@Capabilities.BatchSupport'];
    expect(support).toMatchObject({
      Supported: true,
      ContinueOnErrorSupported: true,
      SupportedFormats: ['application/json', 'multipart/mixed'],
    });
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toMatch(
      /<PropertyValue Property="SupportedFormats">\s*<Collection>\s*<String>application\/json<\/String>\s*<String>multipart\/mixed<\/String>/,
    );
  });
});
