import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadDevelopmentKey, mintDevelopmentToken } from '../src/auth/development-issuer';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { ManagedTenantOperationsRepository } from '../src/managed-tenant-operations/managed-tenant-operations.repository';
import { seedExampleRequest } from '../src/managed-tenant-operations/seed-example';
async function main() {
  const db = '/tmp/prof/db.sqlite';
  const app = await createApp(loadConfig({ DATABASE_PATH: db }), { logger: ['error'] });
  const repo = app.get(ManagedTenantOperationsRepository);
  const ops = Array.from({ length: 10000 }, (_, i) => ({ id: randomUUID(), createdDateTime: new Date(Date.UTC(2026,0,1)+i*1000).toISOString(), lastModifiedDateTime: new Date(Date.UTC(2026,0,1)+i*1000).toISOString(),
    properties: { result: {}, target: {}, operationDefinition: {}, aggregationDefinition: {}, credentials: {}, status: `status-${i%10}`, partnerTenantId: seedExampleRequest.partnerTenantId, partnerUserId: seedExampleRequest.partnerUserId, name: `op ${i}`, description: 'd', requestId: randomUUID() }, dynamicProperties: {} }));
  await repo.insertMany(ops);
  await app.close();
  const config = loadConfig({ DATABASE_PATH: db });
  const token = await mintDevelopmentToken(await loadDevelopmentKey(config), config.auth.issuer, config.auth.audience, { tenantId: seedExampleRequest.partnerTenantId, userId: seedExampleRequest.partnerUserId, scopes: ['ManagedTenants.ReadWrite.All'], expiresIn: 7200 });
  writeFileSync('/tmp/prof/token', token);
  writeFileSync('/tmp/prof/ids.json', JSON.stringify(ops.slice(0, 1000).map((o) => o.id)));
}
main();
