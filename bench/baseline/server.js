'use strict';
/**
 * The baseline of `npm run bench`: the same SQLite work as the service, done by a bare Fastify
 * server with prepared better-sqlite3 statements, no framework, no validation, no auth. It serves
 * the same URLs on a copy of the same database file, and answers with the same response: the
 * status, the headers the API's conventions call for and the same JSON body (the representation
 * of the seed's example response, from the same model), so that a scenario means the same work
 * for both and the ratio measures what the service adds, not how many bytes it writes. The bench
 * checks that both answer alike before it starts.
 *
 * Usage: node bench/baseline/server.js <databasePath> <port>
 */
const Fastify = require('fastify');
const { create, getByKey, list, patch } = require('./answers');

const port = process.argv[3];
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.post('/beta/managedTenantOperations', create);
app.get('/beta/managedTenantOperations/:id', getByKey);
app.get('/beta/managedTenantOperations', list);
app.patch('/beta/managedTenantOperations/:id', patch);

app.listen({ port: Number(port), host: '127.0.0.1' }).then(() => console.log('baseline ready'));
// An orderly exit on SIGTERM, so that `node --cpu-prof` writes the baseline's profile too.
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
