import { DataSource } from 'typeorm';
import { TestApp } from './support/test-app';

describe('health', () => {
  it('answers /health/live and /health/ready without a token, and does not throttle them', async () => {
    const app = await TestApp.start({ THROTTLE_LIMIT: '1' });
    try {
      for (let i = 0; i < 5; i += 1) {
        const live = await app.anonymous({ method: 'GET', url: '/health/live' });
        expect(live.statusCode).toBe(200);
        expect(live.json()).toEqual({ status: 'ok' });
        const ready = await app.anonymous({ method: 'GET', url: '/health/ready' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toMatchObject({
          status: 'ok',
          info: { database: { status: 'up' }, migrations: { status: 'up' } },
        });
      }
    } finally {
      await app.dispose();
    }
  });

  it('is not ready (503, naming the check) while a migration is pending', async () => {
    const app = await TestApp.start();
    try {
      await app.app
        .get(DataSource)
        .query(`DELETE FROM migrations WHERE id = (SELECT MAX(id) FROM migrations)`);
      const ready = await app.anonymous({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.code).toBe('serviceNotAvailable');
      expect(ready.json().error.message).toContain('migrations');
      expect((await app.anonymous({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await app.dispose();
    }
  });

  it('is not ready (503, naming the database) when the database cannot be reached', async () => {
    const app = await TestApp.start();
    const dataSource = app.app.get(DataSource);
    try {
      await dataSource.destroy();
      const ready = await app.anonymous({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error.message).toContain('database');
    } finally {
      await app.dispose().catch(() => undefined);
    }
  });
});
