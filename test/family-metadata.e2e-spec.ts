import { TestApp } from './support/test-app';

/** $metadata and OpenAPI describe the whole family. */
describe('the family in $metadata and OpenAPI', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.dispose());

  it('declares the two entity sets, the navigations and their referential constraint (XML)', async () => {
    const xml = (await app.get('/beta/$metadata')).body;
    for (const [type, set] of [
      ['managedTenantOperationResult', 'managedTenantOperationResults'],
      ['managedTenantOperationHttpRequest', 'managedTenantOperationHttpRequests'],
    ]) {
      expect(xml).toContain(`<EntityType Name="${type}" OpenType="true">`);
      expect(xml).toContain(`<EntitySet Name="${set}" EntityType="microsoft.graph.${type}">`);
    }
    for (const type of ['httpRequest', 'httpResponse', 'httpHeader']) {
      expect(xml).toContain(`<ComplexType Name="${type}">`);
    }
    expect(xml).toContain(
      '<NavigationProperty Name="results" Type="Collection(microsoft.graph.managedTenantOperationResult)" Partner="managedTenantOperation"/>',
    );
    expect(xml).toContain(
      '<NavigationProperty Name="httpRequests" Type="Collection(microsoft.graph.managedTenantOperationHttpRequest)" Partner="managedTenantOperation"/>',
    );
    expect(xml).toMatch(
      /<NavigationProperty Name="managedTenantOperation" Type="microsoft.management.services.api.managedTenantOperation" Nullable="false" Partner="results">\s*<OnDelete Action="Cascade"\/>\s*<ReferentialConstraint Property="managedTenantOperationId" ReferencedProperty="id"\/>/,
    );
    expect(xml).toContain(
      '<NavigationPropertyBinding Path="results" Target="managedTenantOperationResults"/>',
    );
    expect(xml).toContain(
      '<NavigationPropertyBinding Path="managedTenantOperation" Target="managedTenantOperations"/>',
    );
    expect(xml).toMatch(
      /EntitySet Name="managedTenantOperationResults"[^]*?ExpandRestrictions[^]*?<NavigationPropertyPath>managedTenantOperation<\/NavigationPropertyPath>/,
    );
  });

  it('says the same in CSDL JSON', async () => {
    const csdl = (await app.get('/beta/$metadata?$format=json')).json();
    const operation = csdl['microsoft.management.services.api'].managedTenantOperation;
    expect(operation.results).toEqual({
      $Kind: 'NavigationProperty',
      $Type: 'microsoft.graph.managedTenantOperationResult',
      $Collection: true,
      $Partner: 'managedTenantOperation',
    });
    expect(csdl['microsoft.graph'].managedTenantOperationResult.managedTenantOperation).toEqual({
      $Kind: 'NavigationProperty',
      $Type: 'microsoft.management.services.api.managedTenantOperation',
      $Partner: 'results',
      $OnDelete: 'Cascade',
      $ReferentialConstraint: { managedTenantOperationId: 'id' },
    });
    const container = csdl['microsoft.graph'].GraphService;
    expect(container.managedTenantOperations.$NavigationPropertyBinding).toEqual({
      results: 'managedTenantOperationResults',
      httpRequests: 'managedTenantOperationHttpRequests',
    });
    expect(container.managedTenantOperationHttpRequests.$Type).toBe(
      'microsoft.graph.managedTenantOperationHttpRequest',
    );
  });

  it('documents every set and navigation in OpenAPI', async () => {
    const document = (await app.anonymous({ method: 'GET', url: '/docs-json' })).json();
    for (const path of [
      '/beta/managedTenantOperationResults',
      '/beta/managedTenantOperationResults/{id}',
      '/beta/managedTenantOperationResults/$count',
      '/beta/managedTenantOperationHttpRequests',
      '/beta/managedTenantOperationHttpRequests/{id}',
      '/beta/managedTenantOperations/{id}/results',
      '/beta/managedTenantOperations/{id}/results/{itemId}',
      '/beta/managedTenantOperations/{id}/results/$count',
      '/beta/managedTenantOperations/{id}/httpRequests',
    ]) {
      expect({ path, documented: path in document.paths }).toEqual({ path, documented: true });
    }
    const post = document.paths['/beta/managedTenantOperationResults'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CreateManagedTenantOperationResult',
    );
    const list = document.paths['/beta/managedTenantOperations'].get;
    expect(list.parameters.map((parameter: any) => parameter.name)).toContain('$expand');
    expect(document.components.schemas.managedTenantOperationHttpRequest.properties).toHaveProperty(
      'response',
    );
  });
});
