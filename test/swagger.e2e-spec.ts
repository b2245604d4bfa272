import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { runLogDestination } from './support/run-log';
import { ListeningApp, startListening } from './support/test-app';

describe('Swagger UI and the OpenAPI document', () => {
  let server: ListeningApp;
  let base: string;
  let document: any;
  let token: string;

  beforeAll(async () => {
    server = await startListening();
    token = server.token;
    base = server.baseUrl;
    document = await (await fetch(`${base}/docs-json`)).json();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const init = await fetch(`${base}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
  });

  it('documents every operation with request, response and error schemas', () => {
    const collection = document.paths['/beta/managedTenantOperations'];
    const entity = document.paths['/beta/managedTenantOperations/{id}'];
    expect(Object.keys(collection).sort()).toEqual(['get', 'post']);
    expect(Object.keys(entity).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
    expect(collection.post.requestBody.content['application/json'].schema).toEqual(
      ref('CreateManagedTenantOperation'),
    );
    expect(collection.post.responses['201'].content['application/json'].schema).toEqual(
      ref('managedTenantOperation'),
    );
    expect(entity.patch.requestBody.content['application/json'].schema).toEqual(
      ref('UpdateManagedTenantOperation'),
    );
    // PUT carries the whole entity, as a create does.
    expect(entity.put.requestBody.content['application/json'].schema).toEqual(
      ref('CreateManagedTenantOperation'),
    );
    for (const operation of [
      collection.post,
      collection.get,
      entity.get,
      entity.patch,
      entity.put,
      entity.delete,
    ]) {
      expect(operation.responses['400'].content['application/json'].schema).toEqual(
        ref('ODataErrorResponse'),
      );
    }
    expect(entity.get.responses['404'].content['application/json'].schema).toEqual(
      ref('ODataErrorResponse'),
    );
  });

  it('describes nested complex types, required properties and the write-only secret', () => {
    const schemas = document.components.schemas;
    const create = schemas.CreateManagedTenantOperation;
    // The others have defaults, which the document says.
    expect(create.required.sort()).toEqual(
      ['credentials', 'name', 'operationDefinition', 'target'].sort(),
    );
    expect(create.properties.partnerTenantId.description).toBe(
      "Defaults to the caller's tenant (the token's tid).",
    );
    expect(create.properties.status.description).toBe('Defaults to "created".');
    expect(create.properties.result.allOf ?? [create.properties.result]).toContainEqual({
      $ref: '#/components/schemas/managedTenantOperationAggregateResultInput',
    });
    const tenantExceptions =
      schemas.managedTenantOperationAggregateResultInput.properties.tenantExceptions;
    expect(tenantExceptions.type).toBe('array');
    expect(tenantExceptions.items).toEqual({ $ref: '#/components/schemas/tenantExceptionInput' });
    expect(schemas.managedTenantOperationCredentialsInput.properties.dapAccessToken.writeOnly).toBe(
      true,
    );
    expect(schemas.managedTenantOperationCredentials.properties.dapAccessToken).toBeUndefined();
    expect(schemas.managedTenantOperation.properties.createdDateTime.readOnly).toBe(true);
  });

  it("offers the seed's example, and Try it out with it creates an entity on the running server", async () => {
    const post = document.paths['/beta/managedTenantOperations'].post;
    const example = post.requestBody.content['application/json'].examples.seed.value;
    expect(example['@odata.type']).toBe(
      '#microsoft.management.services.api.managedTenantOperation',
    );
    // What Swagger UI sends on Execute: the example as the body, to the path on this server.
    const response = await fetch(`${base}/beta/managedTenantOperations`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(example),
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { name: string }).name).toBe(example.name);
  });
});

describe('the OpenAPI document covers the OData protocol', () => {
  let app: NestFastifyApplication;
  let folder: string;
  let document: any;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'mto-docs2-'));
    app = await createApp(loadConfig({ DATABASE_PATH: join(folder, 'db.sqlite') }), {
      logDestination: runLogDestination(),
    });
    await app.getHttpAdapter().getInstance().ready();
    document = (await app.inject({ method: 'GET', url: '/docs-json' })).json();
  });
  afterAll(async () => {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('documents the query options, with examples', () => {
    const list = document.paths['/beta/managedTenantOperations'].get;
    const names = list.parameters.map((parameter: { name: string }) => parameter.name);
    for (const option of [
      '$filter',
      '$search',
      '$orderby',
      '$select',
      '$top',
      '$skip',
      '$count',
      '$skiptoken',
    ]) {
      expect(names).toContain(option);
    }
    const filter = list.parameters.find(
      (parameter: { name: string }) => parameter.name === '$filter',
    );
    expect(Object.keys(filter.examples).length).toBeGreaterThan(3);
    expect(document.paths['/beta/managedTenantOperations/$count'].get).toBeDefined();
  });

  it('documents $metadata, the service document and $batch', () => {
    expect(document.paths['/beta/$metadata'].get).toBeDefined();
    expect(document.paths['/beta'].get).toBeDefined();
    const batch = document.paths['/beta/$batch'].post;
    expect(
      batch.requestBody.content['application/json'].examples.batch.value.requests.length,
    ).toBeGreaterThan(1);
  });

  it('documents ETags and the conditional headers', () => {
    const entity = document.paths['/beta/managedTenantOperations/{id}'];
    const headers = (operation: { parameters: Array<{ name: string; in: string }> }) =>
      operation.parameters
        .filter((parameter) => parameter.in === 'header')
        .map((parameter) => parameter.name);
    expect(headers(entity.get)).toContain('If-None-Match');
    expect(headers(entity.patch)).toContain('If-Match');
    expect(headers(entity.delete)).toContain('If-Match');
    expect(entity.get.responses['200'].headers.ETag).toBeDefined();
    expect(entity.get.responses['304']).toBeDefined();
    expect(entity.patch.responses['412']).toBeDefined();
  });
});
