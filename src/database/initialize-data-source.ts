import { DataSource, DataSourceOptions } from 'typeorm';

/** Any constant shared by every instance: the advisory lock that serialises migrations. */
const MIGRATIONS_LOCK = 7_402_117_305;

/**
 * Opens the data source and applies pending migrations. On PostgreSQL several instances may start
 * at once: TypeORM takes no lock of its own, so the instances queue on an advisory lock and each
 * finds the migrations already applied by the first. The schema is created if it is missing.
 */
export async function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type !== 'postgres') return new DataSource(options).initialize();
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
    try {
      if (options.schema) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]);
    }
  } catch (error) {
    await runner.release();
    await dataSource.destroy();
    throw error;
  }
  await runner.release();
  return dataSource;
}
