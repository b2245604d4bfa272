/**
 * npm run graph-simulator -- [--port 4010] [--tenants 50] [--users 25] [--latency 0]
 *   [--throttle-rate 0] [--error-rate 0] [--timeout-rate 0] [--forbidden-tenants 0]
 *   [--retry-after 1] [--client-secret S]
 *
 * Serves the Graph stand-in (src/graph-simulator/graph-simulator.ts) on loopback until stopped:
 * point GRAPH_API_URL and ENTRA_AUTHORITY_URL at the URL it prints.
 */
import { startGraphSimulator } from './graph-simulator';

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`--${name} takes a number, not '${args[index + 1]}'.`);
  }
  return value;
}

async function main(args: string[]): Promise<void> {
  const secretIndex = args.indexOf('--client-secret');
  const simulator = await startGraphSimulator(
    {
      tenants: option(args, 'tenants', 50),
      usersPerTenant: option(args, 'users', 25),
      latencyMs: option(args, 'latency', 0),
      throttleRate: option(args, 'throttle-rate', 0),
      serverErrorRate: option(args, 'error-rate', 0),
      timeoutRate: option(args, 'timeout-rate', 0),
      forbiddenTenants: option(args, 'forbidden-tenants', 0),
      retryAfterSeconds: option(args, 'retry-after', 1),
      clientSecret: secretIndex >= 0 ? args[secretIndex + 1] : undefined,
    },
    option(args, 'port', 4010),
  );
  console.log(`Graph simulator on ${simulator.url}`);
  console.log(`  partner tenant:   ${simulator.partnerTenantId}`);
  console.log(
    `  customer tenants: ${simulator.customerTenantIds.length}, the first ${simulator.customerTenantIds[0]}`,
  );
  console.log(
    `  GRAPH_API_URL=${simulator.url} ENTRA_AUTHORITY_URL=${simulator.url} ENTRA_CLIENT_ID=any`,
  );
  const stop = (): void => void simulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
