import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fullOperation } from './support/operation-factory';
import { ENTITY_SET, TestApp } from './support/test-app';

const ROOT = resolve(__dirname, '..');

/** The key ids of every ciphertext in the database file. */
function keyIdsOnDisk(databasePath: string): string[] {
  const db = new Database(databasePath, { readonly: true });
  try {
    const rows = db.prepare('SELECT credentials FROM managed_tenant_operations').all() as {
      credentials: string;
    }[];
    return rows
      .map((row) => JSON.parse(row.credentials).dapAccessToken as string | undefined)
      .filter((token): token is string => typeof token === 'string')
      .map((token) => token.split('.')[1]);
  } finally {
    db.close();
  }
}

describe('credentials key rotation', () => {
  jest.setTimeout(60_000);

  it('reads old secrets with CREDENTIALS_KEYS, re-encrypts them with npm run rotate-credentials-key, then needs only the new key', async () => {
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('base64');
    const first = await TestApp.start({ CREDENTIALS_KEY: oldKey });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (await first.post(fullOperation({ credentials: { dapAccessToken: `token-${i}` } }))).json()
          .id,
      );
    }
    const oldKeyIds = new Set(keyIdsOnDisk(first.databasePath));
    expect(oldKeyIds.size).toBe(1);
    await first.stop();

    // Step 1: every instance runs with the new key, and the old one for decryption.
    const during = await first.restartOnSameDatabase({
      CREDENTIALS_KEY: newKey,
      CREDENTIALS_KEYS: oldKey,
    });
    try {
      expect(
        (await during.patch(`${ENTITY_SET}/${ids[0]}`, { status: 'read with the old key' }))
          .statusCode,
      ).toBe(200);
      // Step 2: rotate, while the service runs.
      const output = execFileSync(
        process.execPath,
        [
          '-r',
          join(ROOT, 'node_modules/ts-node/register/transpile-only'),
          join(ROOT, 'src/crypto/rotate-credentials-key.cli.ts'),
        ],
        {
          env: {
            ...process.env,
            DATABASE_PATH: during.databasePath,
            CREDENTIALS_KEY: newKey,
            CREDENTIALS_KEYS: oldKey,
            TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          },
          encoding: 'utf8',
        },
      );
      expect(output).toMatch(/5 rows scanned, 4 secrets re-encrypted, 0 skipped/);
      const after = keyIdsOnDisk(during.databasePath);
      expect(after).toHaveLength(5);
      expect(after.some((keyId) => oldKeyIds.has(keyId))).toBe(false);
    } finally {
      await during.stop();
    }

    // Step 3: the old key can go.
    const after = await first.restartOnSameDatabase({ CREDENTIALS_KEY: newKey });
    try {
      for (const id of ids) {
        expect(
          (await after.patch(`${ENTITY_SET}/${id}`, { status: 'new key only' })).statusCode,
        ).toBe(200);
      }
    } finally {
      await after.dispose();
    }
  });
});
