import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { resolve as provided } from '../src/common/typed-token';
import { managedTenantOperation, managedTenantOperationResult } from '../src/edm/model';
import { entityStoreToken } from '../src/entity-sets/entity-set.tokens';
import { syntheticOperation, syntheticResult } from './synthetic-operations';

/**
 * A fresh SQLite database with `rows` synthetic operations of the bench's caller and
 * `resultsPerOperation` results each, written through the service's own stores. Returns the ids
 * of the first thousand operations (what reads by key pick from) and how long it took.
 */
export async function fillDatabase(
  databasePath: string,
  rows: number,
  resultsPerOperation: number,
): Promise<{ ids: string[]; seconds: number }> {
  const app = await createApp(loadConfig({ DATABASE_PATH: databasePath, LOG_LEVEL: 'error' }));
  const repository = provided(app, entityStoreToken(managedTenantOperation));
  const results = provided(app, entityStoreToken(managedTenantOperationResult));
  const started = performance.now();
  const start = Date.UTC(2026, 0, 1);
  const ids: string[] = [];
  for (let offset = 0; offset < rows; offset += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, rows - offset) }, (_, i) =>
      syntheticOperation(offset + i, start),
    );
    ids.push(...batch.slice(0, 100).map((op) => op.id));
    await repository.insertMany(batch);
    if (resultsPerOperation === 0) continue;
    await results.insertMany(
      batch.flatMap((operation) =>
        Array.from({ length: resultsPerOperation }, (_, j) => syntheticResult(operation, j)),
      ),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  return { ids: ids.slice(0, 1000), seconds };
}
