/**
 * npm run rotate-credentials-key
 *
 * Re-encrypts every stored secret under the current key (CREDENTIALS_KEY), decrypting with the
 * previous ones (CREDENTIALS_KEYS, or the generated key file). Safe while the service runs.
 */
import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions, dialectOf } from '../database/data-source-options';
import { sqlExecutorFor } from '../database/database.module';
import { SerialWriter } from '../database/serial-writer';
import { TransactionContext } from '../database/transaction-context';
import { initializeDataSource } from '../database/initialize-data-source';
import { rotateCredentials } from '../managed-tenant-operations/credentials-rotation.store';
import { CredentialsCipher } from './credentials-cipher';
import { loadCredentialsKeys } from './credentials-key';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.postgres && config.databasePath === ':memory:')
    throw new Error('An in-memory database has nothing to rotate.');
  const keys = loadCredentialsKeys(config);
  const dataSource = await initializeDataSource(dataSourceOptions(config));
  const transactions = new TransactionContext();
  const dialect = dialectOf(config);
  const db = sqlExecutorFor(
    dialect,
    dataSource,
    new SerialWriter(transactions, dialect === 'sqlite'),
    transactions,
  );
  try {
    const report = await rotateCredentials(db, new CredentialsCipher(keys.current, keys.previous));
    console.log(
      `Rotated ${config.postgres ? 'PostgreSQL' : config.databasePath}: ${report.scanned} rows scanned, ${report.reencrypted} secrets ` +
        `re-encrypted, ${report.skipped} skipped (changed meanwhile; run again to finish).`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
