'use strict';
/**
 * The soak's client, in a process of its own: `connections` loops, each sending one request at a
 * time from a fixed mix (creates, reads by key, filtered pages, updates) for `minutes`. Prints one
 * JSON line per minute (requests, non-2xx, errors, p50/p99) and a last line with every create
 * that was acknowledged. Loopback only.
 *
 * Usage: node bench/soak-load.js '<json: {url, token, connections, minutes, body}>'
 */
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const spec = JSON.parse(process.argv[2]);
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.url))
  throw new Error('The soak only loads 127.0.0.1.');
const { port } = new URL(spec.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
const ENTITY_SET = '/beta/managedTenantOperations';
const STATUSES = ['queued', 'running', 'succeeded', 'failed'];

function send(method, path, body) {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${spec.token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        timeout: 30_000,
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ status: 0, error }));
    request.end(payload);
  });
}

const acknowledged = []; // ids of creates that got a 201
let minute = newMinute();
function newMinute() {
  return { requests: 0, non2xx: 0, errors: 0, latencies: [] };
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

async function oneRequest() {
  const dice = Math.random();
  const known = acknowledged.length > 0;
  const started = process.hrtime.bigint();
  let response;
  if (dice < 0.25 || !known) {
    response = await send('POST', ENTITY_SET, { ...spec.body, requestId: randomUUID() });
    if (response.status === 201) acknowledged.push(JSON.parse(response.text).id);
  } else if (dice < 0.7) {
    response = await send('GET', `${ENTITY_SET}/${pick(acknowledged)}`);
  } else if (dice < 0.85) {
    const filter = encodeURIComponent(`status eq '${pick(STATUSES)}'`);
    response = await send('GET', `${ENTITY_SET}?$filter=${filter}&$top=50`);
  } else {
    response = await send('PATCH', `${ENTITY_SET}/${pick(acknowledged)}`, {
      status: pick(STATUSES),
    });
  }
  minute.latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  minute.requests++;
  if (response.status === 0) minute.errors++;
  else if (response.status < 200 || response.status > 299) minute.non2xx++;
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function report(index) {
  const sorted = minute.latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      minute: index,
      requests: minute.requests,
      non2xx: minute.non2xx,
      errors: minute.errors,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      acknowledgedCreates: acknowledged.length,
    })}\n`,
  );
  minute = newMinute();
}

async function main() {
  const end = Date.now() + spec.minutes * 60_000;
  let index = 1;
  const ticker = setInterval(() => report(index++), 60_000);
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (Date.now() < end) await oneRequest();
    }),
  );
  clearInterval(ticker);
  if (minute.requests > 0 && index <= spec.minutes) report(index);
  process.stdout.write(`${JSON.stringify({ done: true, acknowledged })}\n`);
  agent.destroy();
}

main();
