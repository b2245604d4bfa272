import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { itWithOdataSpec, odataSpecFile } from './support/odata-spec-files';
import { TestApp } from './support/test-app';

/** The OASIS schema files, as libxml2 (compiled to WebAssembly) reads them. */
function schemaFile(name: string): { fileName: string; contents: string } {
  return { fileName: name, contents: readFileSync(odataSpecFile(name), 'utf8') };
}

describe('GET /beta/$metadata', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  itWithOdataSpec(
    ['edmx.xsd', 'edm.xsd'],
    'is CSDL XML valid against the OASIS edmx.xsd and edm.xsd (libxml2 schema validation)',
    async () => {
      const response = await app.get('/beta/$metadata');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/xml/);
      const validate = (xml: string) =>
        validateXML({
          xml: [{ fileName: 'metadata.xml', contents: xml }],
          schema: [schemaFile('edmx.xsd')],
          preload: [schemaFile('edm.xsd')],
        });
      const result = await validate(response.body);
      expect(result.errors.map((error) => error.rawMessage)).toEqual([]);
      expect(result.valid).toBe(true);
      // The validator is not a yes-machine: an element the schema does not know is an error.
      const broken = await validate(
        response.body.replace('<Key>', '<Keys>').replace('</Key>', '</Keys>'),
      );
      expect(broken.valid).toBe(false);
    },
  );

  it('declares the open entity type, every complex type, the enum, the container and every @odata.type responses carry', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toContain('<EntityType Name="managedTenantOperation" OpenType="true">');
    expect(xml).toContain('<Key><PropertyRef Name="id"/></Key>');
    for (const type of [
      'managedTenantOperationAggregateResult',
      'tenantException',
      'managedTenantOperationTarget',
      'managedTenantOperationDefinition',
      'lambdaDefinition',
      'managedTenantOperationCredentials',
    ]) {
      expect(xml).toContain(`<ComplexType Name="${type}">`);
    }
    expect(xml).toMatch(
      /<EnumType Name="logLevel">\s*<Member Name="none" Value="0"\/>\s*<Member Name="summary" Value="1"\/>\s*<Member Name="full" Value="2"\/>/,
    );
    expect(xml).toContain('<Schema Namespace="microsoft.management.services.api"');
    expect(xml).toContain('<Schema Namespace="microsoft.graph"');
    expect(xml).toContain(
      '<EntitySet Name="managedTenantOperations" EntityType="microsoft.management.services.api.managedTenantOperation">',
    );
    const entity = (
      await app.post((await import('./support/operation-factory')).fullOperation())
    ).json();
    const typeNames = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, nested] of Object.entries(value)) {
          if (key === '@odata.type') typeNames.add(String(nested).replace(/^#/, ''));
          collect(nested);
        }
      }
    };
    collect(entity);
    for (const qualified of typeNames) {
      const [namespace, name] = [
        qualified.slice(0, qualified.lastIndexOf('.')),
        qualified.slice(qualified.lastIndexOf('.') + 1),
      ];
      expect(xml).toMatch(
        new RegExp(`<Schema Namespace="${namespace.replace(/\./g, '\\.')}"[^]*Name="${name}"`),
      );
    }
  });

  it('annotates what a client may do', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toMatch(
      /<Property Name="createdDateTime" Type="Edm.DateTimeOffset" Nullable="false">\s*<Annotation Term="Core.Computed" Bool="true"\/>/,
    );
    expect(xml).toMatch(
      /<Property Name="dapAccessToken" Type="Edm.String" Nullable="true" MaxLength="16384">\s*<Annotation Term="Core.Permissions" EnumMember="Core.Permission\/Write"\/>/,
    );
    expect(xml).toMatch(
      /Capabilities.FilterRestrictions[^]*NonFilterableProperties[^]*<PropertyPath>credentials<\/PropertyPath>/,
    );
    expect(xml).toMatch(
      /Capabilities.SortRestrictions[^]*NonSortableProperties[^]*<PropertyPath>credentials<\/PropertyPath>/,
    );
    for (const term of [
      'SearchRestrictions',
      'TopSupported',
      'SkipSupported',
      'CountRestrictions',
      'SelectSupport',
      'BatchSupport',
    ]) {
      expect(xml).toContain(`Term="Capabilities.${term}"`);
    }
  });

  itWithOdataSpec(
    ['csdl.schema.json'],
    'is CSDL JSON valid against csdl.schema.json with $format=json or Accept: application/json, saying the same',
    async () => {
      const schema = JSON.parse(readFileSync(odataSpecFile('csdl.schema.json'), 'utf8'));
      const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
      for (const request of [
        { url: '/beta/$metadata?$format=json', headers: {} },
        { url: '/beta/$metadata', headers: { accept: 'application/json' } },
        { url: '/beta/$metadata?$format=application/json', headers: {} },
      ]) {
        const response = await app.inject({ method: 'GET', ...request });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        const csdl = response.json();
        expect(validate(csdl) ? [] : validate.errors).toEqual([]);
        const entity = csdl['microsoft.management.services.api'].managedTenantOperation;
        expect(entity).toMatchObject({ $Kind: 'EntityType', $OpenType: true, $Key: ['id'] });
        expect(entity.createdDateTime['@Core.Computed']).toBe(true);
        expect(
          csdl['microsoft.graph'].managedTenantOperationCredentials.dapAccessToken[
            '@Core.Permissions'
          ],
        ).toBe('Write');
        expect(csdl['microsoft.graph'].logLevel).toEqual({
          $Kind: 'EnumType',
          none: 0,
          summary: 1,
          full: 2,
        });
        expect(
          csdl['microsoft.graph'].GraphService.managedTenantOperations[
            '@Capabilities.FilterRestrictions'
          ].NonFilterableProperties,
        ).toEqual(['credentials']);
      }
    },
  );

  it('declares that entities are updated with PATCH and replaced with PUT', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    expect(xml).toMatch(
      /<PropertyValue Property="UpdateMethod">\s*<EnumMember>Capabilities\.HttpMethod\/PATCH Capabilities\.HttpMethod\/PUT<\/EnumMember>/,
    );
    const csdl = (await app.get('/beta/$metadata?$format=json')).json();
    expect(
      csdl['microsoft.graph'].GraphService.managedTenantOperations[
        '@Capabilities.UpdateRestrictions'
      ].UpdateMethod,
    ).toBe('PATCH,PUT');
  });

  it('answers a format it does not have with 406', async () => {
    expect((await app.get('/beta/$metadata?$format=atom')).statusCode).toBe(406);
    expect((await app.get('/beta/$metadata', { accept: 'text/csv' })).statusCode).toBe(406);
  });
});

describe('the service document', () => {
  it('lists the entity sets at /beta and /beta/', async () => {
    const app = await TestApp.start();
    try {
      for (const url of ['/beta', '/beta/']) {
        const response = await app.get(url, { host: 'svc.test' });
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({
          '@odata.context': 'http://svc.test/beta/$metadata',
          value: [
            { name: 'managedTenantOperations', kind: 'EntitySet', url: 'managedTenantOperations' },
            {
              name: 'managedTenantOperationResults',
              kind: 'EntitySet',
              url: 'managedTenantOperationResults',
            },
            {
              name: 'managedTenantOperationHttpRequests',
              kind: 'EntitySet',
              url: 'managedTenantOperationHttpRequests',
            },
            { name: 'tenants', kind: 'EntitySet', url: 'tenants' },
            { name: 'tenantGroups', kind: 'EntitySet', url: 'tenantGroups' },
            { name: 'auditEvents', kind: 'EntitySet', url: 'auditEvents' },
            // Change notifications.
            { name: 'subscriptions', kind: 'EntitySet', url: 'subscriptions' },
          ],
        });
      }
    } finally {
      await app.dispose();
    }
  });
});
