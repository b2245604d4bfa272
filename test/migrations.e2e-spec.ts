import { DataSource } from 'typeorm';
import { TestApp } from './support/test-app';

describe('migrations', () => {
  it('build exactly the schema the entity schema describes (nothing left for migration:generate)', async () => {
    const app = await TestApp.start();
    try {
      const pending = await app.app.get(DataSource).driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await app.dispose();
    }
  });
});
