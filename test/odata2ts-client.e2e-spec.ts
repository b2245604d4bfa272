import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newOperation } from './support/operation-factory';
import { ListeningApp, startListening } from './support/test-app';

const ROOT = join(__dirname, '..');
/** Git-ignored: the client is generated anew on every run, from the running server's $metadata. */
const GENERATED = join(__dirname, 'generated', 'odata2ts');

/**
 * A metadata-driven OData client generator (odata2ts, which runs offline from a metadata file)
 * generates a typed client from our $metadata; the client then creates, reads, filters and
 * deletes against the running server.
 */
describe('a typed client generated from $metadata by odata2ts', () => {
  jest.setTimeout(120_000);
  let server: ListeningApp;
  let serviceRoot: string;
  let token: string;

  beforeAll(async () => {
    server = await startListening();
    token = server.token;
    serviceRoot = `${server.baseUrl}/beta`;

    rmSync(GENERATED, { recursive: true, force: true });
    mkdirSync(GENERATED, { recursive: true });
    writeFileSync(
      join(GENERATED, 'metadata.xml'),
      await (await fetch(`${serviceRoot}/$metadata`)).text(),
    );
    writeFileSync(
      join(GENERATED, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true },
      }),
    );
    execFileSync(
      join(ROOT, 'node_modules/.bin/odata2ts'),
      [
        '--source',
        'metadata.xml',
        '--output',
        'client',
        '--mode',
        'all',
        '--emit-mode',
        'ts',
        '--service-name',
        'ManagedTenantOperations',
      ],
      { cwd: GENERATED, stdio: 'pipe' },
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates, reads, filters and deletes', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ManagedTenantOperationsService } = require(
      join(GENERATED, 'client', 'ManagedTenantOperationsService'),
    );
    const { FetchClient } = await import('@odata2ts/http-client-fetch');
    const client = new FetchClient({ headers: { Authorization: `Bearer ${token}` } } as never);
    const service = new ManagedTenantOperationsService(client, serviceRoot);

    const body = newOperation({
      status: 'generated-client',
      operationDefinition: { logLevel: 'full' },
    });
    delete body['@odata.type'];
    const created = await service.managedTenantOperations().create(body);
    expect(created.status).toBe(201);
    const id = created.data.id as string;

    const read = await service.managedTenantOperations(id).query();
    expect(read.data.name).toBe(body.name);
    expect(read.data.operationDefinition.logLevel).toBe('full');

    const filtered = await service
      .managedTenantOperations()
      .query((builder: any, q: any) =>
        builder.filter(q.status.eq('generated-client')).select('id', 'name'),
      );
    expect(filtered.data.value.map((entity: { id: string }) => entity.id)).toEqual([id]);

    await service.managedTenantOperations(id).delete();
    const after = await fetch(`${serviceRoot}/managedTenantOperations/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(404);
  });
});
