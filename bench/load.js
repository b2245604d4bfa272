'use strict';
/**
 * One autocannon run, in a process of its own (so the load generator does not share an event loop
 * with the orchestrator). Bounded in time, loopback only. Prints the result as JSON.
 *
 * Usage: node bench/load.js '<json: {url, method, path, paths?, body?, freshRequestId?, headers, connections, duration}>'
 */
const autocannon = require('autocannon');
const { randomUUID } = require('node:crypto');

const spec = JSON.parse(process.argv[2]);
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.url))
  throw new Error('The bench only loads 127.0.0.1.');
let next = 0;
const request = {
  method: spec.method,
  path: spec.path,
  headers: spec.headers,
  body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
  setupRequest(req) {
    const out = { ...req };
    if (spec.paths) out.path = spec.paths[next++ % spec.paths.length];
    if (spec.freshRequestId) out.body = JSON.stringify({ ...spec.body, requestId: randomUUID() });
    return out;
  },
};
const instance = autocannon(
  { url: spec.url, connections: spec.connections, duration: spec.duration, requests: [request] },
  (error, result) => {
    if (error) throw error;
    process.stdout.write(
      JSON.stringify({
        requestsPerSecond: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        total: result.requests.total,
      }),
    );
  },
);
autocannon.track(instance, {
  renderProgressBar: false,
  renderResultsTable: false,
  renderLatencyTable: false,
});
