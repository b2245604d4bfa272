import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  RecordedCall,
  RunningSimulator,
  SimulatorOptions,
  TenantFaults,
} from './graph-simulator.types';
import {
  customerTenantIds,
  GraphUser,
  SimulatedDirectory,
  tenantIdOf,
} from './simulated-directory';

export { customerTenantIds, tenantIdOf } from './simulated-directory';
export type { DirectoryChanges } from './simulated-directory';

/**
 * A stand-in for Microsoft Graph and the Microsoft identity platform's token endpoint, on
 * loopback, for local runs (`npm run graph-simulator`) and for the e2e tests of the operation
 * engine. It behaves like the real services where the engine depends on it:
 * per-tenant data behind the tenant's own access token, server-driven paging with absolute
 * `@odata.nextLink`s, `$top`, `$count` and `$search` that need `ConsistencyLevel: eventual`, Graph
 * error bodies, and faults that can be switched on per tenant or at random: latency, 429 with
 * Retry-After, 5xx, hanging calls, 403s and token-endpoint errors.
 *
 * Tokens: the token endpoint (`POST /{tenant}/oauth2/v2.0/token`, on-behalf-of) issues opaque
 * `sim.` tokens bound to the tenant; Graph calls with one are answered from that tenant's data
 * (a tenant that is not one of the customers is a partner: its `/contracts` lists them).
 * Any other bearer token (a dapAccessToken sent as it is, without ENTRA_CLIENT_ID) is accepted as
 * the partner's: calls are answered for the tenant named by the token's `tid` claim if it is a
 * JWT, else for the partner tenant (whose `/contracts` lists the customers).
 */

export type {
  RecordedCall,
  RunningSimulator,
  SimulatorOptions,
  TenantFaults,
} from './graph-simulator.types';

const PAGE_SIZE = 100;
const MAX_TOP = 999;
const MAX_CALLS_KEPT = 10_000;
const PARTNER_TENANT = tenantIdOf('partner', 0);

export async function startGraphSimulator(
  options: SimulatorOptions = {},
  port = 0,
  host = '127.0.0.1',
): Promise<RunningSimulator> {
  const tenantCount = options.tenants ?? 50;
  const usersPerTenant = options.usersPerTenant ?? 25;
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3600;
  const customers = customerTenantIds(tenantCount);
  const customerSet = new Set(customers);
  const forbidden = new Set(customers.slice(0, options.forbiddenTenants ?? 0));
  const faults = new Map<string, TenantFaults>();
  const tokens = new Map<string, { tenantId: string; expires: number }>();
  const directory = new SimulatedDirectory(customers, usersPerTenant);
  const calls: RecordedCall[] = [];
  const issuedTokens: string[] = [];
  const tokenRequests: Array<Record<string, string>> = [];
  const revokedRefreshTokens = new Set<string>();
  let latencyMs = options.latencyMs ?? 0;
  let inFlight = 0;
  let peak = 0;
  let baseUrl = '';

  const faultsOf = (tenantId: string): TenantFaults => {
    let found = faults.get(tenantId);
    if (!found) faults.set(tenantId, (found = {}));
    return found;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl);
    const body = await readBody(request);
    if (request.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) {
      return issueToken(url.pathname.split('/')[1], body, response);
    }
    if (!/^\/(v1\.0|beta)\//.test(url.pathname)) {
      graphError(response, 404, 'Request_ResourceNotFound', `No route ${url.pathname}.`);
      return;
    }
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      const tenantId = tenantOf(request.headers.authorization);
      const status = await answer(request, url, body, tenantId, response);
      calls.push({
        method: request.method ?? 'GET',
        path: url.pathname + url.search,
        tenantId,
        headers: { ...request.headers },
        status,
      });
      if (calls.length > MAX_CALLS_KEPT) calls.splice(0, calls.length - MAX_CALLS_KEPT);
    } finally {
      inFlight -= 1;
    }
  }

  function issueToken(tenantId: string, body: string, response: ServerResponse): void {
    const form = Object.fromEntries(new URLSearchParams(body));
    tokenRequests.push(form);
    const refuse = (error: string, description: string): void => {
      json(response, 400, {
        error,
        error_description: `${description}\r\nTrace ID: ${randomBytes(8).toString('hex')}`,
        error_codes: [error === 'invalid_grant' ? 50020 : 7000215],
      });
    };
    const refreshing = form.grant_type === 'refresh_token';
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' && !refreshing) {
      return refuse('unsupported_grant_type', 'AADSTS70003: The grant type is not supported.');
    }
    const complete = refreshing
      ? Boolean(form.refresh_token && form.client_id && form.scope)
      : form.requested_token_use === 'on_behalf_of' && Boolean(form.assertion && form.client_id);
    if (!complete) {
      return refuse('invalid_request', 'AADSTS900144: A required parameter is missing.');
    }
    // Refresh tokens: any the test did not revoke is good; each answer rotates it.
    if (refreshing && revokedRefreshTokens.has(form.refresh_token)) {
      return refuse(
        'invalid_grant',
        'AADSTS700082: The refresh token has expired due to inactivity.',
      );
    }
    if (options.clientSecret !== undefined && form.client_secret !== options.clientSecret) {
      return refuse('invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    if (!/^[0-9a-f-]{36}$/i.test(tenantId)) {
      return refuse('invalid_request', `AADSTS90002: Tenant '${tenantId}' not found.`);
    }
    const scheduled = faults.get(tenantId)?.tokenError;
    if (scheduled) return refuse(scheduled, `AADSTS50020: The user has no access to the tenant.`);
    const token = `sim.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { tenantId, expires: Date.now() + tokenLifetime * 1000 });
    issuedTokens.push(token);
    json(response, 200, {
      token_type: 'Bearer',
      scope: form.scope ?? '',
      expires_in: tokenLifetime,
      ext_expires_in: tokenLifetime,
      access_token: token,
      ...(refreshing ? { refresh_token: `simrt.${randomBytes(24).toString('base64url')}` } : {}),
    });
  }

  /** The tenant a bearer token acts in; undefined when there is no usable token. */
  function tenantOf(authorization: string | undefined): string | undefined {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    if (token.startsWith('sim.')) {
      const issued = tokens.get(token);
      return issued && issued.expires > Date.now() ? issued.tenantId : undefined;
    }
    return jwtTenant(token) ?? PARTNER_TENANT;
  }

  async function answer(
    request: IncomingMessage,
    url: URL,
    body: string,
    tenantId: string | undefined,
    response: ServerResponse,
  ): Promise<number> {
    if (!tenantId) {
      return graphError(response, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    const scheduled = faults.get(tenantId) ?? {};
    if (scheduled.timeouts && scheduled.timeouts > 0) {
      scheduled.timeouts -= 1;
      return hang(request, response);
    }
    if (Math.random() < (options.timeoutRate ?? 0)) return hang(request, response);
    if ((scheduled.throttle ?? 0) > 0 || Math.random() < (options.throttleRate ?? 0)) {
      if (scheduled.throttle) scheduled.throttle -= 1;
      response.setHeader('Retry-After', String(options.retryAfterSeconds ?? 1));
      return graphError(response, 429, 'TooManyRequests', 'Too many requests.');
    }
    if ((scheduled.serverErrors ?? 0) > 0 || Math.random() < (options.serverErrorRate ?? 0)) {
      if (scheduled.serverErrors) scheduled.serverErrors -= 1;
      return graphError(response, 503, 'serviceNotAvailable', 'The service is unavailable.');
    }
    if (scheduled.forbidden || forbidden.has(tenantId)) {
      return graphError(
        response,
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    }
    const resource = url.pathname.replace(/^\/(v1\.0|beta)/, '');
    const method = request.method ?? 'GET';
    const eventual = request.headers.consistencylevel === 'eventual';
    if (method === 'GET' && resource === '/contracts') {
      if (customerSet.has(tenantId)) return page(url, [], response);
      return page(
        url,
        directory.contractsOf(tenantId),
        response,
        false,
        options.contractsPageSize ?? MAX_TOP,
      );
    }
    if (method === 'GET' && resource === '/users') {
      let users: GraphUser[] = directory.usersOf(tenantId);
      const search = url.searchParams.get('$search');
      if ((search || url.searchParams.get('$count') === 'true') && !eventual) {
        return graphError(
          response,
          400,
          'Request_UnsupportedQuery',
          "$search and $count on users require the header 'ConsistencyLevel: eventual'.",
        );
      }
      if (search) {
        const match = /^"(\w+):(.*)"$/.exec(search);
        if (!match) return graphError(response, 400, 'BadRequest', 'Invalid $search.');
        const [, property, term] = match;
        users = users.filter((user) =>
          String(user[property as keyof GraphUser])
            .toLowerCase()
            .includes(term.toLowerCase()),
        );
      }
      return page(url, users, response, scheduled.foreignNextLink);
    }
    const userMatch = /^\/users\/([^/]+)$/.exec(resource);
    if (method === 'GET' && userMatch) {
      const user = directory
        .usersOf(tenantId)
        .find(
          (candidate) =>
            candidate.id === userMatch[1] || candidate.userPrincipalName === userMatch[1],
        );
      if (!user) return graphError(response, 404, 'Request_ResourceNotFound', 'No such user.');
      return json(response, 200, {
        '@odata.context': `${baseUrl}/v1.0/$metadata#users/$entity`,
        ...user,
      });
    }
    if (method === 'GET' && resource === '/groups')
      return page(url, directory.groupsOf(tenantId), response);
    if (method === 'POST' && resource === '/groups') {
      let group: Record<string, unknown>;
      try {
        group = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return graphError(response, 400, 'BadRequest', 'The body is not JSON.');
      }
      const created = directory.addGroup(tenantId, group);
      return json(response, 201, created);
    }
    if (method === 'GET' && resource === '/organization') {
      return page(url, [{ id: tenantId, displayName: `Organization ${tenantId}` }], response);
    }
    return graphError(response, 400, 'BadRequest', `Unsupported request ${method} ${resource}.`);
  }

  /** A page of a collection, `$top` and `$skiptoken` as Graph pages, with `$count` if asked. */
  function page(
    url: URL,
    items: readonly object[],
    response: ServerResponse,
    foreignNextLink = false,
    maxTop = MAX_TOP,
  ): number {
    const top = Math.min(Number(url.searchParams.get('$top') ?? PAGE_SIZE) || PAGE_SIZE, maxTop);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0) || 0;
    const body: Record<string, unknown> = {
      '@odata.context': `${baseUrl}${url.pathname}`,
    };
    if (url.searchParams.get('$count') === 'true') body['@odata.count'] = items.length;
    // $select: the properties named, as Graph answers (`id` only when it is named).
    const select = url.searchParams
      .get('$select')
      ?.split(',')
      .map((name) => name.trim());
    body.value = items
      .slice(skip, skip + top)
      .map((item) =>
        select
          ? Object.fromEntries(Object.entries(item).filter(([name]) => select.includes(name)))
          : item,
      );
    if (skip + top < items.length) {
      const next = new URL(url.href);
      next.searchParams.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = foreignNextLink
        ? `http://169.254.169.254/latest/meta-data?$skiptoken=${skip + top}`
        : next.href;
    }
    return json(response, 200, body);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) graphError(response, 500, 'generalException', String(error));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done) => server.listen(port, host, done));
  const address = server.address() as AddressInfo;
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    port: address.port,
    partnerTenantId: PARTNER_TENANT,
    customerTenantIds: customers,
    calls,
    issuedTokens,
    tokenRequests,
    faultsOf,
    directoryOf: (tenantId) => directory.changesOf(tenantId),
    revokedRefreshTokens,
    endedContracts: directory.endedContracts,
    partnerCustomers: directory.partnerCustomers,
    setLatency: (ms) => (latencyMs = ms),
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown): number {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'request-id': randomBytes(16).toString('hex'),
  });
  response.end(text);
  return status;
}

function graphError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
): number {
  return json(response, status, {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': randomBytes(16).toString('hex') },
    },
  });
}

/** A call that never answers (until the client gives up). */
function hang(request: IncomingMessage, response: ServerResponse): Promise<number> {
  return new Promise((done) => {
    const timer = setTimeout(
      () => done(graphError(response, 504, 'timeout', 'Timed out.')),
      120_000,
    );
    request.socket.once('close', () => {
      clearTimeout(timer);
      done(0);
    });
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    request.on('error', fail);
  });
}

function jwtTenant(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as {
      tid?: unknown;
    };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
