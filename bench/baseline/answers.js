'use strict';
/**
 * What the bench's baselines answer, on the same SQLite work as the service: prepared
 * better-sqlite3 statements on the database file given as the first argument, and handlers over
 * Fastify's request and reply that set the status and headers and return the body (the same
 * representation of the seed's example response, from the same model, as the service's). The
 * bare Fastify baseline (server.js) and the NestJS one (nest-server.ts) serve them.
 */
const Database = require('better-sqlite3');
const { randomUUID } = require('node:crypto');
// The model the service is built from (the bench builds dist/ first).
const {
  managedTenantOperation: model,
  managedTenantOperationResult: resultModel,
} = require('../../dist/src/edm/model');

const db = new Database(process.argv[2]);
/** The tenant every row of the bench belongs to. */
const TENANT = process.env.BENCH_TENANT;
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
/** The first `?` results of each of the operations (a JSON array of ids), newest first. */
const resultsOf = db.prepare(
  `SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r."managedTenantOperationId" ` +
    'ORDER BY r."createdDateTime" DESC, r."id" DESC) AS "rank" FROM managed_tenant_operation_results r ' +
    'WHERE r."partnerTenantId" = ? AND r."managedTenantOperationId" IN (SELECT value FROM json_each(?))) ' +
    'WHERE "rank" <= ? ORDER BY "rank"',
);
const updateStatus = db.prepare(
  'UPDATE managed_tenant_operations SET status = ?, lastModifiedDateTime = ? WHERE id = ? AND partnerTenantId = ?',
);

const ENTITY_TYPE = `#${model.namespace}.${model.name}`;
const PROPERTIES = Object.entries(model.properties).filter(
  ([name, property]) => name !== model.key && !property.secret,
);
const CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A declared value as responses show it: complex values with every property, secrets never. */
function represent(property, value, annotate) {
  if (property.collection) {
    const items = Array.isArray(value) ? value : [];
    return property.type.kind === 'complex'
      ? items.map((item) => representComplex(property.type, item, false))
      : items;
  }
  if (value === undefined || value === null) return null;
  return property.type.kind === 'complex'
    ? representComplex(property.type, value, annotate)
    : value;
}

const shown = new Map();
const shownProperties = (type) => {
  if (!shown.has(type))
    shown.set(
      type,
      Object.entries(type.properties).filter(([, property]) => !property.secret),
    );
  return shown.get(type);
};

function representComplex(type, stored, annotate) {
  const value = annotate ? { '@odata.type': `${type.namespace}.${type.name}` } : {};
  for (const [name, property] of shownProperties(type))
    value[name] = represent(property, stored[name], false);
  return value;
}

const RESULT_TYPE = `#${resultModel.namespace}.${resultModel.name}`;
const RESULT_PROPERTIES = Object.entries(resultModel.properties).filter(
  ([name]) => name !== resultModel.key,
);

/** A result row as the service represents it: booleans from 0/1, the JSON columns parsed. */
function resultToJson(row) {
  const entity = { '@odata.type': RESULT_TYPE, '@odata.etag': etagOf(row), id: row.id };
  for (const [name, property] of RESULT_PROPERTIES) {
    let stored = row[name];
    if (property.collection) stored = stored === null ? null : JSON.parse(stored);
    else if (property.type === 'Edm.Boolean' && stored !== null) stored = stored !== 0;
    entity[name] = represent(property, stored, true);
  }
  return Object.assign(entity, JSON.parse(row.dynamicProperties));
}

const etagOf = (row) =>
  `W/"${Buffer.from(row.lastModifiedDateTime, 'utf8').toString('base64url')}"`;

function toJson(row) {
  const entity = { '@odata.type': ENTITY_TYPE, '@odata.etag': etagOf(row), id: row.id };
  for (const [name, property] of PROPERTIES) {
    const stored = JSON_COLUMNS.includes(name) ? JSON.parse(row[name]) : row[name];
    entity[name] = represent(property, stored, true);
  }
  return Object.assign(entity, JSON.parse(row.dynamicProperties));
}

const contextUrl = (request, suffix) =>
  `http://${request.headers.host}/beta/$metadata#managedTenantOperations${suffix}`;

/** The headers every answer of the service carries (request-id, OData-Version, security). */
function conventionalHeaders(reply) {
  const requestId = randomUUID();
  reply.headers({
    'request-id': requestId,
    'client-request-id': requestId,
    'odata-version': '4.0',
    'content-type': CONTENT_TYPE,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    'cache-control': 'no-store',
  });
  return reply;
}

function sendEntity(request, reply, row) {
  conventionalHeaders(reply).header('etag', etagOf(row));
  return { '@odata.context': contextUrl(request, '/$entity'), ...toJson(row) };
}

function create(request, reply) {
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
  reply
    .code(201)
    .header('location', `http://${request.headers.host}/beta/managedTenantOperations('${row.id}')`);
  return sendEntity(request, reply, row);
}

function getByKey(request, reply) {
  const row = byId.get(request.params.id, TENANT);
  if (!row) {
    reply.code(404);
    return { error: { code: 'itemNotFound' } };
  }
  return sendEntity(request, reply, row);
}

function list(request, reply) {
  const top = Number(request.query.$top ?? 100);
  const status = /status eq '([^']*)'/.exec(request.query.$filter ?? '')?.[1];
  let rows;
  if (status !== undefined) rows = byStatus.all(TENANT, status, top);
  else if (request.query.$skiptoken) {
    const [created, id] = JSON.parse(Buffer.from(request.query.$skiptoken, 'base64url').toString());
    rows = newestAfter.all(TENANT, created, created, id, top);
  } else rows = newest.all(TENANT, top);
  const expandTop = /^results\(\$top=(\d+)\)$/.exec(request.query.$expand ?? '')?.[1];
  if (expandTop !== undefined) {
    const related = new Map(rows.map((row) => [row.id, []]));
    const ids = JSON.stringify(rows.map((row) => row.id));
    for (const result of resultsOf.all(TENANT, ids, Number(expandTop))) {
      related.get(result.managedTenantOperationId).push(resultToJson(result));
    }
    conventionalHeaders(reply);
    return {
      '@odata.context': contextUrl(request, '(results())'),
      value: rows.map((row) => ({ ...toJson(row), results: related.get(row.id) })),
    };
  }
  const last = rows[rows.length - 1];
  const next = last
    ? `managedTenantOperations?$top=${top}&$skiptoken=${Buffer.from(JSON.stringify([last.createdDateTime, last.id])).toString('base64url')}`
    : undefined;
  conventionalHeaders(reply);
  return {
    '@odata.context': contextUrl(request, ''),
    value: rows.map(toJson),
    '@odata.nextLink': next,
  };
}

function patch(request, reply) {
  const row = byId.get(request.params.id, TENANT);
  if (!row) {
    reply.code(404);
    return { error: { code: 'itemNotFound' } };
  }
  const now = new Date().toISOString();
  updateStatus.run(request.body.status, now, request.params.id, TENANT);
  return sendEntity(request, reply, {
    ...row,
    status: request.body.status,
    lastModifiedDateTime: now,
  });
}

module.exports = { create, getByKey, list, patch };
