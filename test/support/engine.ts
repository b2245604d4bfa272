import { randomUUID } from 'node:crypto';
import {
  RunningSimulator,
  SimulatorOptions,
  startGraphSimulator,
} from '../../src/graph-simulator/graph-simulator';
import { newOperation } from './operation-factory';
import { noteSecret } from './run-log';
import { ENTITY_SET, TestApp } from './test-app';

/** The engine's settings against a simulator: quick retries, short leases, on-behalf-of tokens. */
export function engineEnv(
  simulator: RunningSimulator,
  env: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    GRAPH_API_URL: simulator.url,
    ENTRA_AUTHORITY_URL: simulator.url,
    ENTRA_CLIENT_ID: 'test-client',
    ENTRA_CLIENT_SECRET: 'test-client-secret',
    ENGINE_RETRY_BASE_MS: '20',
    ENGINE_POLL_MS: '50',
    ENGINE_CALL_TIMEOUT_MS: '2000',
    ...env,
  };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = await startGraphSimulator({
    tenants: 8,
    clientSecret: 'test-client-secret',
    ...options,
  });
  noteSecret('test-client-secret');
  // Every token the simulator issues is a secret the service must never show.
  const issued = simulator.issuedTokens;
  const push = issued.push.bind(issued);
  issued.push = (...tokens: string[]) => {
    for (const token of tokens) noteSecret(token);
    return push(...tokens);
  };
  return simulator;
}

/** An operation of the test caller that runs `statements` in `tenantIds`. */
export function runnableOperation(
  statements: string,
  tenantIds: readonly string[] | 'all',
  definition: Record<string, unknown> = {},
  aggregation = '',
): Record<string, unknown> {
  return newOperation({
    status: 'created',
    target: tenantIds === 'all' ? { allTenants: true } : { allTenants: false, tenantIds },
    operationDefinition: {
      value: statements,
      logLevel: 'summary',
      failOnFirstError: false,
      ...definition,
    },
    aggregationDefinition: { value: aggregation },
    credentials: { dapAccessToken: `dap-${randomUUID()}` },
  });
}

export async function createOperation(
  app: TestApp,
  body: Record<string, unknown>,
): Promise<string> {
  const created = await app.post(body);
  if (created.statusCode !== 201) throw new Error(`create: ${created.statusCode} ${created.body}`);
  return created.json<{ id: string }>().id;
}

/** POST …/run, optionally waiting (Prefer: wait=N). */
export function runOperation(app: TestApp, id: string, wait?: number, action = 'run') {
  return app.inject({
    method: 'POST',
    url: `${ENTITY_SET}/${id}/${action}`,
    headers: wait === undefined ? {} : { prefer: `wait=${wait}` },
  });
}

/** Polls the operation until its status is final. */
export async function finished(
  app: TestApp,
  id: string,
  timeoutMs = 30_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.get(`${ENTITY_SET}/${id}`);
    const body = response.json<Record<string, any>>();
    if (['succeeded', 'failed', 'cancelled'].includes(body.status) && body.result?.isComplete)
      return body;
    if (Date.now() > deadline)
      throw new Error(`still ${body.status}: ${JSON.stringify(body.result)}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

export async function resultsOf(app: TestApp, id: string): Promise<Array<Record<string, any>>> {
  const response = await app.get(`${ENTITY_SET}/${id}/results?$top=999`);
  return response.json<{ value: Array<Record<string, any>> }>().value;
}

export async function httpRequestsOf(
  app: TestApp,
  id: string,
): Promise<Array<Record<string, any>>> {
  const rows: Array<Record<string, any>> = [];
  let url: string | undefined = `${ENTITY_SET}/${id}/httpRequests?$top=999`;
  while (url) {
    const page: { value: Array<Record<string, any>>; '@odata.nextLink'?: string } = (
      await app.get(url.startsWith('/') ? url : `/beta/${url}`)
    ).json();
    rows.push(...page.value);
    url = page['@odata.nextLink'];
  }
  return rows;
}
