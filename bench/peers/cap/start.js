'use strict';
/**
 * The SAP CAP peer of `npm run bench`: the service's model as CDS (db/schema.cds, srv/beta.cds),
 * served by @sap/cds 9 with @cap-js/sqlite 2 at /beta, on a SQLite file filled with the same rows
 * as the service's (copied from its database file), with the same secondary indexes, WAL and
 * synchronous=FULL, and its request log off. No authentication (CAP's mocked auth is off too).
 * CAP's default OData flavour flattens structured values (`result_isSuccess`), in requests too.
 *
 * Usage: node bench/peers/cap/start.js <service database> <peer database> <port>
 */
const { existsSync } = require('node:fs');
const Database = require('better-sqlite3');
const cds = require('@sap/cds');
const express = require('express');

const [sourcePath, databasePath, port] = process.argv.slice(2);
cds.root = __dirname;
cds.env.requires.db = { kind: 'sqlite', credentials: { url: databasePath } };
cds.env.requires.auth = { kind: 'dummy' };
cds.env.log.levels = { ...cds.env.log.levels, odata: 'warn', serve: 'warn', cds: 'warn' };

// Every connection CAP opens commits as the service's does: on disk before it answers.
const SQLiteService = require('@cap-js/sqlite');
const factory = Object.getOwnPropertyDescriptor(SQLiteService.prototype, 'factory');
Object.defineProperty(SQLiteService.prototype, 'factory', {
  get() {
    const original = factory.get.call(this);
    return {
      ...original,
      create: async (tenant) => {
        const connection = await original.create(tenant);
        connection.pragma('synchronous = FULL');
        return connection;
      },
    };
  },
});

/** Copies the service's rows into CAP's flattened tables (`result_isSuccess` from `result`). */
function copyRows(target, table, sourceTable) {
  const source = new Database(sourcePath, { readonly: true });
  const columns = target
    .prepare(`PRAGMA table_info("${table}")`)
    .all()
    .map((c) => c.name);
  const insert = target.prepare(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const value = (row, column) => {
    if (column in row) return row[column];
    const [outer, inner] = column.split('_');
    const nested = row[outer] === null ? undefined : JSON.parse(row[outer])?.[inner];
    if (nested === undefined || nested === null) return null;
    if (typeof nested === 'boolean') return nested ? 1 : 0;
    return typeof nested === 'object' ? JSON.stringify(nested) : nested;
  };
  target.transaction(() => {
    for (const row of source.prepare(`SELECT * FROM "${sourceTable}"`).iterate()) {
      insert.run(columns.map((column) => value(row, column)));
    }
  })();
  source.close();
}

const MODEL_FOLDERS = ['db', 'srv'].map((folder) => `${__dirname}/${folder}`);

async function main() {
  if (!existsSync(databasePath)) {
    const model = await cds.load(MODEL_FOLDERS);
    await cds.deploy(model).to(`sqlite:${databasePath}`);
    await cds.disconnect?.();
    const target = new Database(databasePath);
    copyRows(target, 'mto_ManagedTenantOperations', 'managed_tenant_operations');
    copyRows(target, 'mto_ManagedTenantOperationResults', 'managed_tenant_operation_results');
    // The service's indexes (src/database/entity-tables.ts), less the tenant where the service
    // leads with it (CAP has no tenant to filter by), plus one for the order CAP pages in by
    // default (the key) within a status: each runs its queries on an index, as the service does.
    for (const sql of [
      'CREATE INDEX "IDX_cap_mto_created" ON "mto_ManagedTenantOperations" ("createdDateTime", "id")',
      'CREATE INDEX "IDX_cap_mto_status_created" ON "mto_ManagedTenantOperations" ("status", "createdDateTime", "id")',
      'CREATE INDEX "IDX_cap_mto_status_id" ON "mto_ManagedTenantOperations" ("status", "id")',
      'CREATE INDEX "IDX_cap_mto_requestId" ON "mto_ManagedTenantOperations" ("requestId")',
      'CREATE INDEX "IDX_cap_mtor_operation" ON "mto_ManagedTenantOperationResults" ("managedTenantOperationId", "createdDateTime", "id")',
      'CREATE INDEX "IDX_cap_mtor_operation_id" ON "mto_ManagedTenantOperationResults" ("managedTenantOperationId", "id")',
    ]) {
      target.exec(sql);
    }
    target.close();
  }
  // CAP's own bootstrap (as `cds serve` runs it), on loopback.
  const app = express();
  const listen = app.listen.bind(app);
  app.listen = (port) => listen(port, '127.0.0.1');
  const server = await cds.server({ app, port: Number(port), from: MODEL_FOLDERS });
  server.once('listening', () => console.log('cap peer ready'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
