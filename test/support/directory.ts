import { RunningSimulator } from '../../src/graph-simulator/graph-simulator';
import { engineEnv, startSimulator } from './engine';
import { eventually } from './schedules';
import { TestApp } from './test-app';

export const TENANTS = '/beta/tenants';
export const GROUPS = '/beta/tenantGroups';

/**
 * The Graph stand-in with `tenants` customers, and the service with its partner's directory of
 * them refreshed, the customers at `gold` tagged `gold`.
 */
export async function startWithDirectory(
  tenants: number,
  gold: readonly number[] = [],
): Promise<{ simulator: RunningSimulator; app: TestApp }> {
  const simulator = await startSimulator({ tenants, usersPerTenant: 1 });
  const app = await TestApp.start(engineEnv(simulator, { DIRECTORY_POLL_MS: '100' }));
  const refreshed = await app.inject({
    method: 'POST',
    url: `${TENANTS}/refresh`,
    payload: { credentials: { dapAccessToken: 'directory-dap-token-0123456789' } },
  });
  if (refreshed.statusCode !== 202) throw new Error(`refresh: ${refreshed.statusCode}`);
  const listed = await eventually(
    async () => (await app.get(TENANTS)).json().value.length as number,
    (count) => count === tenants,
  );
  if (listed !== tenants) throw new Error(`the directory lists ${listed} of ${tenants} tenants`);
  for (const index of gold) {
    const tagged = await app.patch(`${TENANTS}/${simulator.customerTenantIds[index]}`, {
      tags: ['gold'],
    });
    if (tagged.statusCode !== 200) throw new Error(`tag: ${tagged.statusCode}`);
  }
  return { simulator, app };
}
