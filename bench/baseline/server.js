'use strict';
/**
 * The baseline of `npm run bench`: the same SQLite work as the service, done by a bare Fastify
 * server with prepared better-sqlite3 statements, no framework, no validation, no auth. It serves
 * the same URLs on a copy of the same database file, so a scenario means the same work for both.
 *
 * Usage: node bench/baseline/server.js <databasePath> <port>
 */
const Database = require('better-sqlite3');
const Fastify = require('fastify');
const { randomUUID } = require('node:crypto');

const [databasePath, port] = process.argv.slice(2);
const db = new Database(databasePath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');

const COLUMNS = [
  'id',
  'result',
  'target',
  'operationDefinition',
  'aggregationDefinition',
  'credentials',
  'status',
  'createdDateTime',
  'lastModifiedDateTime',
  'partnerTenantId',
  'partnerUserId',
  'name',
  'description',
  'requestId',
  'dynamicProperties',
];
const JSON_COLUMNS = [
  'result',
  'target',
  'operationDefinition',
  'aggregationDefinition',
  'credentials',
  'dynamicProperties',
];
const SELECT = `SELECT ${COLUMNS.map((c) => `"${c}"`).join(', ')} FROM managed_tenant_operations`;

const insert = db.prepare(
  `INSERT INTO managed_tenant_operations (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
);
const byId = db.prepare(`${SELECT} WHERE id = ? AND partnerTenantId = ?`);
const byStatus = db.prepare(
  `${SELECT} WHERE partnerTenantId = ? AND status = ? ORDER BY createdDateTime DESC, id DESC LIMIT ?`,
);
const newest = db.prepare(
  `${SELECT} WHERE partnerTenantId = ? ORDER BY createdDateTime DESC, id DESC LIMIT ?`,
);
const newestAfter = db.prepare(
  `${SELECT} WHERE partnerTenantId = ? AND createdDateTime <= ? AND (createdDateTime, id) < (?, ?) ORDER BY createdDateTime DESC, id DESC LIMIT ?`,
);
const updateStatus = db.prepare(
  'UPDATE managed_tenant_operations SET status = ?, lastModifiedDateTime = ? WHERE id = ? AND partnerTenantId = ?',
);

function toJson(row) {
  const entity = { ...row };
  for (const column of JSON_COLUMNS) entity[column] = JSON.parse(row[column]);
  delete entity.credentials;
  Object.assign(entity, entity.dynamicProperties);
  delete entity.dynamicProperties;
  return entity;
}

const TENANT = process.env.BENCH_TENANT;
const app = Fastify({ bodyLimit: 1024 * 1024 });

app.post('/beta/managedTenantOperations', (request, reply) => {
  const body = request.body;
  const now = new Date().toISOString();
  const row = {
    id: randomUUID(),
    result: JSON.stringify(body.result ?? {}),
    target: JSON.stringify(body.target ?? {}),
    operationDefinition: JSON.stringify(body.operationDefinition ?? {}),
    aggregationDefinition: JSON.stringify(body.aggregationDefinition ?? {}),
    credentials: JSON.stringify(body.credentials ?? {}),
    status: body.status,
    createdDateTime: now,
    lastModifiedDateTime: now,
    partnerTenantId: body.partnerTenantId,
    partnerUserId: body.partnerUserId,
    name: body.name,
    description: body.description,
    requestId: body.requestId,
    dynamicProperties: '{}',
  };
  insert.run(row);
  reply.code(201).send(toJson(row));
});

app.get('/beta/managedTenantOperations/:id', (request, reply) => {
  const row = byId.get(request.params.id, TENANT);
  if (!row) return reply.code(404).send({ error: { code: 'itemNotFound' } });
  reply.send(toJson(row));
});

app.get('/beta/managedTenantOperations', (request, reply) => {
  const top = Number(request.query.$top ?? 100);
  const status = /status eq '([^']*)'/.exec(request.query.$filter ?? '')?.[1];
  let rows;
  if (status !== undefined) rows = byStatus.all(TENANT, status, top);
  else if (request.query.$skiptoken) {
    const [created, id] = JSON.parse(Buffer.from(request.query.$skiptoken, 'base64url').toString());
    rows = newestAfter.all(TENANT, created, created, id, top);
  } else rows = newest.all(TENANT, top);
  const last = rows[rows.length - 1];
  const next = last
    ? `managedTenantOperations?$top=${top}&$skiptoken=${Buffer.from(JSON.stringify([last.createdDateTime, last.id])).toString('base64url')}`
    : undefined;
  reply.send({ value: rows.map(toJson), '@odata.nextLink': next });
});

app.patch('/beta/managedTenantOperations/:id', (request, reply) => {
  const row = byId.get(request.params.id, TENANT);
  if (!row) return reply.code(404).send({ error: { code: 'itemNotFound' } });
  const now = new Date().toISOString();
  updateStatus.run(request.body.status, now, request.params.id, TENANT);
  reply.send(toJson({ ...row, status: request.body.status, lastModifiedDateTime: now }));
});

app.listen({ port: Number(port), host: '127.0.0.1' }).then(() => console.log('baseline ready'));
// An orderly exit on SIGTERM, so that `node --cpu-prof` writes the baseline's profile too.
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
