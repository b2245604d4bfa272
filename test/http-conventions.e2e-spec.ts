import { DataSource } from 'typeorm';
import { dropOperationsTable } from './support/test-database';
import { ODATA_JSON_CONTENT_TYPE } from '../src/common/http-conventions';
import { newOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectGraphError(response: { json(): any }, code: string): void {
  const body = response.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'innerError']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Object.keys(body.error.innerError)).toEqual(['date', 'request-id', 'client-request-id']);
  expect(Number.isNaN(Date.parse(body.error.innerError.date))).toBe(false);
  expect(body.error.innerError['request-id']).toMatch(GUID);
}

describe('HTTP conventions and errors', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  it('sends request-id, client-request-id, OData-Version and the OData JSON content type', async () => {
    const response = await app.get(ENTITY_SET, { 'client-request-id': 'my-correlation-id' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['request-id']).toMatch(GUID);
    expect(response.headers['client-request-id']).toBe('my-correlation-id');
    expect(response.headers['odata-version']).toBe('4.0');
    expect(response.headers['content-type']).toBe(ODATA_JSON_CONTENT_TYPE);
  });

  it('gives every response a fresh request-id', async () => {
    const first = await app.get(ENTITY_SET);
    const second = await app.get(ENTITY_SET);
    expect(first.headers['request-id']).not.toBe(second.headers['request-id']);
  });

  it('puts the request ids into error bodies', async () => {
    const response = await app.get(`${ENTITY_SET}/nope`, { 'client-request-id': 'abc-123' });
    expect(response.statusCode).toBe(404);
    expectGraphError(response, 'itemNotFound');
    const { innerError } = response.json().error;
    expect(innerError['request-id']).toBe(response.headers['request-id']);
    expect(innerError['client-request-id']).toBe('abc-123');
    expect(response.headers['odata-version']).toBe('4.0');
    expect(response.headers['content-type']).toBe(ODATA_JSON_CONTENT_TYPE);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      payload: '{"status": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expectGraphError(response, 'invalidRequest');
    expect(response.json().error.message).toContain('not valid JSON');
  });

  it('rejects prototype pollution attempts with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      payload: JSON.stringify(newOperation()).replace(/^\{/, '{"__proto__":{"polluted":true},'),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expectGraphError(response, 'invalidRequest');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['text/plain', 'POST', ENTITY_SET],
    ['application/x-www-form-urlencoded', 'POST', ENTITY_SET],
    ['application/xml', 'PATCH', `${ENTITY_SET}/x`],
  ])('answers a %s body on %s with 415', async (contentType, method, url) => {
    const response = await app.inject({
      method: method as 'POST',
      url,
      payload: 'status=x',
      headers: { 'content-type': contentType },
    });
    expect(response.statusCode).toBe(415);
    expectGraphError(response, 'unsupportedMediaType');
  });

  it('accepts application/json with OData parameters', async () => {
    const response = await app.inject({
      method: 'POST',
      url: ENTITY_SET,
      payload: JSON.stringify(newOperation()),
      headers: { 'content-type': 'application/json;odata.metadata=minimal;charset=utf-8' },
    });
    expect(response.statusCode).toBe(201);
  });

  it('answers a body over 1 MiB with 413', async () => {
    const response = await app.post(newOperation({ padding: 'x'.repeat(1024 * 1024) }));
    expect(response.statusCode).toBe(413);
    expectGraphError(response, 'requestTooLarge');
  });

  it('answers an unknown path with 404', async () => {
    for (const url of ['/beta/users', '/nope', `${ENTITY_SET}/a/b`]) {
      const response = await app.get(url);
      expect(response.statusCode).toBe(404);
      expectGraphError(response, 'resourceNotFound');
    }
  });

  it('answers a method the path does not allow with 405 and Allow', async () => {
    const onCollection = await app.inject({ method: 'PUT', url: ENTITY_SET });
    expect(onCollection.statusCode).toBe(405);
    expectGraphError(onCollection, 'methodNotAllowed');
    expect(onCollection.headers.allow).toContain('POST');
    const onEntity = await app.inject({ method: 'POST', url: `${ENTITY_SET}('x')` });
    expect(onEntity.statusCode).toBe(405);
    expect(onEntity.headers.allow).toEqual(expect.stringContaining('PATCH'));
  });

  it('answers an unexpected failure with 500 generalException and no internals', async () => {
    const broken = await TestApp.start();
    try {
      await dropOperationsTable(broken.app.get(DataSource));
      const response = await broken.get(ENTITY_SET);
      expect(response.statusCode).toBe(500);
      expectGraphError(response, 'generalException');
      expect(response.body).not.toMatch(/sqlite|table|stack|at /i);
    } finally {
      await broken.dispose();
    }
  });
});
