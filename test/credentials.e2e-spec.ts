import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { credentialsKeyPath } from '../src/crypto/credentials-key';
import { fullOperation } from './support/operation-factory';
import { recordingDestination } from './support/recording-destination';
import { rawDatabaseBytes, storedRowsText } from './support/stored-rows';
import { ENTITY_SET, TestApp } from './support/test-app';
import { itOnSqlite, ON_POSTGRES, dropOperationsTable } from './support/test-database';

describe('credentials.dapAccessToken, the secret', () => {
  it('is encrypted at rest: the raw database files (or PostgreSQL rows) never hold the plaintext token', async () => {
    const app = await TestApp.start();
    try {
      const token = `eyJ-plaintext-${randomUUID()}`;
      const patched = `eyJ-patched-${randomUUID()}`;
      const created = (
        await app.post(fullOperation({ credentials: { dapAccessToken: token } }))
      ).json();
      await app.patch(`${ENTITY_SET}/${created.id}`, { credentials: { dapAccessToken: patched } });
      const bytes = ON_POSTGRES ? await storedRowsText(app) : rawDatabaseBytes(app.databasePath);
      expect(bytes).toContain(created.id); // the files were read
      expect(bytes).not.toContain(token);
      expect(bytes).not.toContain(patched);
      expect(bytes).toMatch(/"dapAccessToken": ?"v1\./); // the ciphertext is there
    } finally {
      await app.dispose();
    }
  });

  it('never appears in a response: create, read, list, update', async () => {
    const app = await TestApp.start();
    try {
      const token = `secret-${randomUUID()}`;
      const created = await app.post(fullOperation({ credentials: { dapAccessToken: token } }));
      const id = created.json().id;
      const responses = [
        created,
        await app.get(`${ENTITY_SET}/${id}`),
        await app.get(ENTITY_SET),
        await app.patch(`${ENTITY_SET}/${id}`, { credentials: { dapAccessToken: token } }),
      ];
      for (const response of responses) {
        expect(response.statusCode).toBeLessThan(300);
        expect(response.body).not.toContain(token);
        expect(response.body).not.toContain('dapAccessToken');
      }
    } finally {
      await app.dispose();
    }
  });

  it('never appears in a log line, even when a request fails', async () => {
    const { destination, lines: written } = recordingDestination();
    const app = await TestApp.start({}, { logDestination: destination });
    try {
      const token = `logged-${randomUUID()}`;
      const created = await app.post(fullOperation({ credentials: { dapAccessToken: token } }));
      await app.patch(`${ENTITY_SET}/${created.json().id}`, { credentials: { dapAccessToken: 5 } });
      await dropOperationsTable(app.app.get(DataSource));
      const failed = await app.post(fullOperation({ credentials: { dapAccessToken: token } }));
      expect(failed.statusCode).toBe(500);
      expect(written.join('')).toContain('failed'); // the 500 was logged
      expect(written.join('')).not.toContain(token);
    } finally {
      await app.dispose();
    }
  });

  itOnSqlite(
    'uses a key file beside the database, created with owner-only permissions, kept across restarts',
    async () => {
      const app = await TestApp.start();
      const token = `kept-${randomUUID()}`;
      const created = (
        await app.post(fullOperation({ credentials: { dapAccessToken: token } }))
      ).json();
      const keyFile = credentialsKeyPath(app.databasePath);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = readFileSync(keyFile, 'utf8');
      await app.stop();
      const restarted = await app.restartOnSameDatabase();
      try {
        expect(readFileSync(keyFile, 'utf8')).toBe(key);
        // a PATCH decrypts and re-encrypts the stored secret, which fails with any other key
        const patched = await restarted.patch(`${ENTITY_SET}/${created.id}`, { status: 'done' });
        expect(patched.statusCode).toBe(200);
      } finally {
        await restarted.dispose();
      }
    },
  );

  it('uses CREDENTIALS_KEY when set, and a different key cannot read the data', async () => {
    const key = randomBytes(32).toString('hex');
    const app = await TestApp.start({ CREDENTIALS_KEY: key });
    const created = (await app.post(fullOperation())).json();
    await app.stop();
    const sameKey = await app.restartOnSameDatabase({ CREDENTIALS_KEY: key });
    expect((await sameKey.patch(`${ENTITY_SET}/${created.id}`, { status: 'a' })).statusCode).toBe(
      200,
    );
    await sameKey.stop();
    const otherKey = await app.restartOnSameDatabase({
      CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    });
    try {
      const response = await otherKey.get(`${ENTITY_SET}/${created.id}`);
      expect(response.statusCode).toBe(500);
      expect(response.json().error.code).toBe('generalException');
      // A collection read decrypts no secret (they are write-only, never in a response): it
      // still lists the operation, as it would a page of fifty without fifty decryptions.
      const listed = await otherKey.get(`${ENTITY_SET}?$filter=id eq '${created.id}'`);
      expect(listed.statusCode).toBe(200);
      expect(listed.json().value.map((row: { id: string }) => row.id)).toEqual([created.id]);
      expect(listed.json().value[0].credentials).toEqual({
        '@odata.type': 'microsoft.graph.managedTenantOperationCredentials',
      });
    } finally {
      await otherKey.dispose();
    }
  });
});
