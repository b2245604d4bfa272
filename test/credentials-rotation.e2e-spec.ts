import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fullOperation } from './support/operation-factory';
import { queryStored, storedCredentials } from './support/stored-rows';
import { ENTITY_SET, TestApp } from './support/test-app';

const ROOT = resolve(__dirname, '..');

/** The key ids of every stored ciphertext. */
async function storedKeyIds(app: TestApp): Promise<string[]> {
  return (await storedCredentials(app))
    .map((credentials) => credentials.dapAccessToken)
    .filter((token): token is string => typeof token === 'string')
    .map((token) => token.split('.')[1]);
}

/** The key ids of the directories' kept refresh tokens. */
async function directoryKeyIds(app: TestApp): Promise<string[]> {
  return (await queryStored(app, 'SELECT "refreshToken" FROM "tenant_directories"'))
    .map((row) => row.refreshToken)
    .filter((token): token is string => typeof token === 'string')
    .map((token) => token.split('.')[1]);
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
    // A directory keeps a refresh token for its refreshes (encrypted with the same key).
    const refresh = await first.inject({
      method: 'POST',
      url: '/beta/tenants/refresh',
      payload: { credentials: { refreshToken: 'rotation-refresh-token-0123456789' } },
    });
    expect(refresh.statusCode).toBe(202);
    const oldKeyIds = new Set(await storedKeyIds(first));
    expect(oldKeyIds.size).toBe(1);
    expect(await directoryKeyIds(first)).toEqual([...oldKeyIds]);
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
            ...during.databaseEnv,
            CREDENTIALS_KEY: newKey,
            CREDENTIALS_KEYS: oldKey,
            TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
          },
          encoding: 'utf8',
        },
      );
      expect(output).toMatch(/6 rows scanned, 5 secrets re-encrypted, 0 skipped/);
      const after = await storedKeyIds(during);
      expect(after).toHaveLength(5);
      expect(after.some((keyId) => oldKeyIds.has(keyId))).toBe(false);
      const directory = await directoryKeyIds(during);
      expect(directory).toHaveLength(1);
      expect(oldKeyIds.has(directory[0])).toBe(false);
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
