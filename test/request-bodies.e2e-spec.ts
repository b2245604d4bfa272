import { newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

/**
 * How bodies are read, as OData 4.0 clients (SAP Cloud SDK, o.js, @odata/client) send them: an
 * empty body is no body on any method, and who the caller is gets answered before anything about
 * its body.
 */
describe('request bodies', () => {
  let app: TestApp;
  let readOnly: string;
  beforeAll(async () => {
    app = await TestApp.start();
    readOnly = await app.token({ scopes: ['ManagedTenants.Read.All'] });
  });
  afterAll(() => app.dispose());

  const JSON_TYPE = { 'content-type': 'application/json' };

  it('takes a DELETE with Content-Type: application/json and an empty body (204)', async () => {
    const { id } = (await app.post(newOperation())).json();
    const response = await app.inject({
      method: 'DELETE',
      url: `${ENTITY_SET}/${id}`,
      headers: { ...JSON_TYPE, 'content-length': '0' },
      payload: '',
    });
    expect(response.statusCode).toBe(204);
    expect((await app.get(`${ENTITY_SET}/${id}`)).statusCode).toBe(404);
  });

  it('answers an anonymous DELETE with an empty JSON body 401, not 400', async () => {
    const { id } = (await app.post(newOperation())).json();
    const response = await app.anonymous({
      method: 'DELETE',
      url: `${ENTITY_SET}/${id}`,
      headers: JSON_TYPE,
      payload: '',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('InvalidAuthenticationToken');
  });

  it('treats an empty JSON body of a POST as no body: 400 saying the entity is missing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      headers: JSON_TYPE,
      payload: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).not.toMatch(/cannot be empty/i);
  });

  it.each([
    ['a body that is not JSON', JSON_TYPE, '{"name": '],
    ['JSON nested deeper than 32 levels', JSON_TYPE, `${'['.repeat(40)}${']'.repeat(40)}`],
    ['a media type no route reads', { 'content-type': 'text/plain' }, 'name=x'],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'name=x'],
  ])(
    'answers %s 401 without a token, 403 without the permission, then 400/415',
    async (_, headers, payload) => {
      const request = { method: 'POST' as const, url: ENTITY_SET, headers, payload };
      const anonymous = await app.anonymous(request);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe('InvalidAuthenticationToken');
      const forbidden = await app.inject({
        ...request,
        headers: { ...headers, authorization: `Bearer ${readOnly}` },
      });
      expect(forbidden.statusCode).toBe(403);
      const authenticated = await app.inject(request);
      expect([400, 415]).toContain(authenticated.statusCode);
      expect(authenticated.json().error.code).toBe(
        authenticated.statusCode === 415 ? 'unsupportedMediaType' : 'invalidRequest',
      );
    },
  );

  it('still says what is wrong with the body once the caller may write', async () => {
    const notJson = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      headers: JSON_TYPE,
      payload: '{"name": ',
    });
    expect(notJson.json().error.message).toMatch(/^The request body is not valid JSON/);
    // Where the parser stopped, as a person reads a body they typed.
    const typo = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      headers: JSON_TYPE,
      payload: '{\n  "name": "x",\n  target: {}\n}',
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.message).toMatch(
      /^The request body is not valid JSON: .* in JSON at position 19 \(line 3, column 3\)\.$/,
    );
    const text = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.message).toBe(
      "The request body must be application/json, not 'text/plain'.",
    );
  });
});
