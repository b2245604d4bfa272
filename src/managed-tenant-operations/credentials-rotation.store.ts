import { CredentialsCipher } from '../crypto/credentials-cipher';
import { holdsSecret, managedTenantOperation as model } from '../edm/model';
import { mapSecretValues } from '../edm/secrets';
import { tableOf } from '../database/entity-tables';
import { SqlExecutor } from '../database/sql-executor';
import { boundTo } from '../database/stores/tenant-directory.store';

const MANAGED_TENANT_OPERATIONS_TABLE = tableOf(model).tableName;

export interface RotationReport {
  readonly scanned: number;
  readonly reencrypted: number;
  /** Rows changed by someone else between our read and our write; the next run picks them up. */
  readonly skipped: number;
}

const SECRET_COLUMNS = Object.entries(model.properties)
  .filter(([, property]) => holdsSecret(property))
  .map(([name]) => name);

/**
 * Re-encrypts every secret under the current key, while the service keeps running: rows are read
 * in small pages by id, and each UPDATE is conditional on the value read, so a concurrent write
 * (which already uses the current key) is never overwritten. Run it after every instance runs with
 * the new CREDENTIALS_KEY and the old key in CREDENTIALS_KEYS; then the old key can go.
 */
export async function rotateCredentials(
  db: SqlExecutor,
  cipher: CredentialsCipher,
  pageSize = 200,
): Promise<RotationReport> {
  let scanned = 0;
  let reencrypted = 0;
  let skipped = 0;
  let after = '';
  const columns = SECRET_COLUMNS.map((column) => `"${column}"`).join(', ');
  for (;;) {
    const rows = await db.all(
      `SELECT "id", ${columns} FROM "${MANAGED_TENANT_OPERATIONS_TABLE}" ` +
        `WHERE "id" > ? ORDER BY "id" LIMIT ?`,
      [after, pageSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      scanned += 1;
      const id = row.id as string;
      for (const column of SECRET_COLUMNS) {
        // JSON text on SQLite; PostgreSQL's driver parses jsonb.
        const stored = row[column];
        if (stored === null) continue;
        const storedJson = typeof stored === 'string' ? stored : JSON.stringify(stored);
        let stale = false;
        const value = mapSecretValues(
          model.properties[column],
          JSON.parse(storedJson),
          (ciphertext) => {
            if (!cipher.isStale(ciphertext)) return ciphertext;
            stale = true;
            return cipher.encrypt(cipher.decrypt(ciphertext, id), id);
          },
        );
        if (!stale) continue;
        const updated = await db.run(
          `UPDATE "${MANAGED_TENANT_OPERATIONS_TABLE}" SET "${column}" = ? ` +
            `WHERE "id" = ? AND "${column}" = ?`,
          [JSON.stringify(value), id, storedJson],
        );
        if (updated === 1) reencrypted += 1;
        else skipped += 1;
      }
      after = id;
    }
  }
  const directories = await rotateDirectoryCredentials(db, cipher, pageSize);
  return {
    scanned: scanned + directories.scanned,
    reencrypted: reencrypted + directories.reencrypted,
    skipped: skipped + directories.skipped,
  };
}

/**
 * The credentials the partners' directories of tenants keep for their refreshes, as
 * rotateCredentials does the operations': a page at a time, each UPDATE conditional on the value
 * read.
 */
async function rotateDirectoryCredentials(
  db: SqlExecutor,
  cipher: CredentialsCipher,
  pageSize: number,
): Promise<RotationReport> {
  let scanned = 0;
  let reencrypted = 0;
  let skipped = 0;
  let after = '';
  for (;;) {
    const rows = await db.all(
      `SELECT "partnerTenantId", "dapAccessToken", "refreshToken" FROM "tenant_directories" ` +
        `WHERE "partnerTenantId" > ? ORDER BY "partnerTenantId" LIMIT ?`,
      [after, pageSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      scanned += 1;
      const partner = row.partnerTenantId as string;
      for (const column of DIRECTORY_SECRET_COLUMNS) {
        const stored = row[column];
        if (typeof stored !== 'string' || !cipher.isStale(stored)) continue;
        const fresh = cipher.encrypt(cipher.decrypt(stored, boundTo(partner)), boundTo(partner));
        const updated = await db.run(
          `UPDATE "tenant_directories" SET "${column}" = ? WHERE "partnerTenantId" = ? AND "${column}" = ?`,
          [fresh, partner, stored],
        );
        if (updated === 1) reencrypted += 1;
        else skipped += 1;
      }
      after = partner;
    }
  }
  return { scanned, reencrypted, skipped };
}

const DIRECTORY_SECRET_COLUMNS = ['dapAccessToken', 'refreshToken'] as const;
