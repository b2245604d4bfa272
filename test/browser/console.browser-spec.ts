import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { RunningSimulator } from '../../src/graph-simulator/graph-simulator';
import { engineEnv, startSimulator } from '../support/engine';
import { ListeningApp, startListening } from '../support/test-app';

const SCREENSHOTS = join(__dirname, '../../artifacts/screenshots/console');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Retries an assertion until it holds or the time is up (the page updates by itself). */
async function eventually(assertion: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

const visible = (locator: Locator, timeout = 15_000) =>
  locator.first().waitFor({ state: 'visible', timeout });
const rowsOf = (table: Locator) => table.locator('tbody tr');
const hasCount = (locator: Locator, count: number, timeout?: number) =>
  eventually(async () => expect(await locator.count()).toBe(count), timeout);
const hasAttribute = (locator: Locator, name: string, value: string, timeout?: number) =>
  eventually(async () => expect(await locator.getAttribute(name)).toBe(value), timeout);
const hasText = (locator: Locator, text: string | RegExp, timeout?: number) =>
  eventually(async () => expect(await locator.first().innerText()).toMatch(text), timeout);
const isEnabled = (locator: Locator, enabled = true, timeout?: number) =>
  eventually(async () => expect(await locator.isEnabled()).toBe(enabled), timeout);

interface AxeViolation {
  id: string;
  impact: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core in the page: every serious or critical violation, with where it is. (Code that runs
 * in the page is given as text: this project compiles against Node's types, not the DOM's.)
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run(document).then((result) => result.violations)',
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

async function checkView(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('the partner console in a real browser', () => {
  jest.setTimeout(240_000);
  let simulator: RunningSimulator;
  let server: ListeningApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let operationUrl: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    simulator = await startSimulator({ tenants: 8, usersPerTenant: 3 });
    server = await startListening(engineEnv(simulator, { ENGINE_CONCURRENCY: '4' }));
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await simulator?.close();
  });

  it('signs in with the development button, with the keyboard only', async () => {
    await page.goto(`${server.baseUrl}/console`);
    // The accessibility check can fail: a button without a name is a critical violation.
    await page.evaluate("document.body.append(document.createElement('button'))");
    expect((await accessibilityProblems(page)).join()).toContain('button-name');
    await page.reload();
    await checkView(page, '01-sign-in');
    const tenant = page.getByLabel('Partner tenant');
    await tenant.focus();
    await tenant.fill('Contoso Partner');
    await page.keyboard.press('Tab');
    await page.keyboard.type('-technician');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: 'Operations' }));
    // The token is in this tab's session storage, never in the URL or local storage.
    expect(page.url()).not.toContain('eyJ');
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    await checkView(page, '02-operations-empty');
  });

  it("creates an operation over all customers, the server's 400 shown at its line and column", async () => {
    await page.getByRole('link', { name: 'New operation' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Users of every customer');
    await page.getByLabel('Description').fill('Lists the users of each customer tenant');
    await page
      .getByLabel('Statements (one Graph request per line)')
      .fill('GET /v1.0/organization\nGET /v1.0/../users');
    await page.getByLabel('Log level').selectOption('full');
    await page.getByLabel('All customers').check();
    await page.getByLabel(/Partner access token/).fill('any-token-for-the-simulator');
    await page.getByRole('button', { name: 'Create operation' }).click();
    const error = page.locator('#statement-error');
    await hasText(error, 'Line 2, column');
    await hasAttribute(
      page.getByLabel('Statements (one Graph request per line)'),
      'aria-invalid',
      'true',
    );
    await checkView(page, '03-new-operation-error');

    await page
      .getByLabel('Statements (one Graph request per line)')
      .fill('GET /v1.0/users?$select=id,displayName,userPrincipalName');
    await page.getByRole('button', { name: 'Create operation' }).click();
    await visible(page.getByRole('heading', { name: 'Users of every customer' }));
    operationUrl = page.url();
  });

  it('runs it and watches the progress bar reach the end, two tenants failing', async () => {
    for (const tenantId of simulator.customerTenantIds.slice(0, 2))
      simulator.faultsOf(tenantId).forbidden = true;
    await isEnabled(page.getByRole('button', { name: 'Run', exact: true }));
    await isEnabled(page.getByRole('button', { name: 'Cancel run' }), false);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const bar = page.getByRole('progressbar');
    await hasAttribute(bar, 'aria-valuemax', '8', 30_000);
    await hasAttribute(bar, 'aria-valuenow', '8', 30_000);
    await hasText(page.locator('[data-count="failed"]'), /^2$/);
    await hasText(page.locator('[data-count="succeeded"]'), /^6$/);
    await isEnabled(page.getByRole('button', { name: 'Run failed tenants again' }), true, 10_000);
    await isEnabled(page.getByRole('button', { name: 'Run', exact: true }), false);
    await checkView(page, '04-run-finished');
  });

  it('filters the failed tenants and opens one: its rows and its HTTP calls', async () => {
    const tenants = page.getByRole('table', { name: 'Tenants' });
    await hasCount(tenants.locator('tbody tr'), 8);
    await page.getByLabel('Outcome').selectOption('failed');
    await hasCount(tenants.locator('tbody tr'), 2);
    await hasText(tenants.locator('tbody tr').first(), '403');
    await tenants.locator('tbody tr a').first().click();
    await hasText(
      page.getByRole('table', { name: 'HTTP calls' }).locator('tbody tr').first(),
      '403',
    );
    // At log level full, the call's headers and bodies: Graph's error, the token redacted.
    const details = page.getByRole('table', { name: 'HTTP calls' }).locator('details').first();
    await details.locator('summary').click();
    await hasText(details, 'Authorization_RequestDenied');
    expect(await details.innerText()).toContain('Authorization: Bearer [redacted]');
    await checkView(page, '05-tenant-drill-down');
    await page.getByRole('link', { name: 'Back to the operation' }).click();
  });

  it('runs the failed tenants again, and compares the two runs', async () => {
    for (const tenantId of simulator.customerTenantIds.slice(0, 2))
      simulator.faultsOf(tenantId).forbidden = false;
    // From the keyboard: focus the button and press Enter.
    await page.getByRole('button', { name: 'Run failed tenants again' }).focus();
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: /^Run 2/ }), 30_000);
    const bar = page.getByRole('progressbar');
    await hasAttribute(bar, 'aria-valuemax', '2', 30_000);
    await hasAttribute(bar, 'aria-valuenow', '2', 30_000);
    await hasText(page.locator('[data-count="succeeded"]'), /^2$/, 30_000);
    await isEnabled(page.getByRole('button', { name: 'Run', exact: true }), true, 10_000);

    await page.getByRole('link', { name: 'History' }).click();
    const runs = page.getByRole('table', { name: 'Runs' });
    await hasCount(runs.locator('tbody tr'), 2);
    await page.getByLabel('Pick run 1 to compare').check();
    await page.getByLabel('Pick run 2 to compare').check();
    await checkView(page, '06-history');
    await page.getByRole('link', { name: 'Compare runs' }).click();
    const differences = page.getByRole('table', { name: 'Differences' });
    await hasCount(differences.locator('tbody tr').filter({ hasText: 'Outcome changed' }), 2);
    await hasText(differences, 'failed → succeeded');

    // A full run after a user was renamed: the row changed, its changed field marked.
    simulator.directoryOf(simulator.customerTenantIds[3]).renamedUsers.set(1, 'Renamed Person');
    await page.getByRole('link', { name: 'Back to the history' }).click();
    await isEnabled(page.getByRole('button', { name: 'Run', exact: true }));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await visible(page.getByRole('heading', { name: /^Run 3/ }), 30_000);
    await hasText(page.locator('[data-count="succeeded"]'), /^8$/, 30_000);
    await page.getByRole('link', { name: 'History' }).click();
    await hasCount(rowsOf(page.getByRole('table', { name: 'Runs' })), 3);
    await page.getByLabel('Pick run 2 to compare').check();
    await page.getByLabel('Pick run 3 to compare').check();
    await page.getByRole('link', { name: 'Compare runs' }).click();
    await page.getByLabel('Change').selectOption('changed');
    const changed = rowsOf(differences).filter({ hasText: 'Row changed' });
    await hasCount(changed, 1);
    await hasText(changed.locator('.changed ins'), 'Renamed Person');
    await checkView(page, '07-compare-runs');
  });

  it("downloads the run's rows as CSV, the rows the API has", async () => {
    await page.goto(operationUrl.replace(/\/tenants(\?.*)?$/, '/rows'));
    await visible(page.getByRole('table', { name: 'Rows' }).locator('tbody tr').first());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^Users-of-every-customer-run-3\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r\n/);
    const header = lines[0].split(',');
    expect(header.slice(0, 2)).toEqual(['_TenantId', '_TenantDisplayName']);
    expect(header.slice(2).sort()).toEqual(['displayName', 'id', 'userPrincipalName']);
    const id = new URL(operationUrl).hash.split('/')[2];
    const json = await fetch(`${server.baseUrl}/beta/managedTenantOperations/${id}/runs/3/rows`, {
      headers: {
        authorization: `Bearer ${await page.evaluate<string>("sessionStorage.getItem('managed-tenant-operations.token')")}`,
      },
    });
    const rows = ((await json.json()) as { value: unknown[] }).value;
    expect(lines.length - 1).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(0);
    await checkView(page, '08-rows');
  });

  it('sets a daily schedule and shows its next five runs', async () => {
    await page.getByRole('link', { name: 'Schedule' }).click();
    await page.getByLabel('Repeats').selectOption('daily');
    await page.getByLabel('Time of day').fill('06:30');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    const next = page.getByRole('region', { name: 'Next runs' }).locator('li');
    await hasCount(next, 5);
    await visible(page.getByRole('button', { name: 'Pause' }));
    await checkView(page, '09-schedule');
    await page.getByRole('button', { name: 'Pause' }).click();
    await visible(page.getByRole('button', { name: 'Resume' }));
    await visible(page.getByRole('heading', { name: 'Paused: no run is due' }));
  });

  it('cancels a slow run', async () => {
    simulator.setLatency(1500);
    try {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Operations' })
        .click();
      await page.getByRole('link', { name: 'New operation' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Slow groups listing');
      await page.getByLabel('Statements (one Graph request per line)').fill('GET /v1.0/groups');
      await page.getByLabel('All customers').check();
      await page.getByLabel(/Partner access token/).fill('any-token-for-the-simulator');
      await page.getByRole('button', { name: 'Create operation' }).click();
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      const cancel = page.getByRole('button', { name: 'Cancel run' });
      await isEnabled(cancel, true, 10_000);
      await cancel.click();
      await hasText(page.locator('.section-head .badge').first(), 'cancelled', 30_000);
      await eventually(async () =>
        expect(await page.locator('[data-count="notRun"]').innerText()).not.toBe('0'),
      );
      await checkView(page, '10-cancelled');
    } finally {
      simulator.setLatency(0);
    }
    // Edit it, then delete it (the confirmation is accepted).
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Description').fill('Was too slow');
    await page.getByRole('button', { name: 'Save' }).click();
    await visible(page.getByText('Was too slow'));
    await page.getByRole('button', { name: 'Delete' }).click();
    await visible(page.getByRole('heading', { name: 'Operations' }));
    await hasCount(rowsOf(page.getByRole('table', { name: 'Operations' })), 1);
    await hasText(page.getByRole('table', { name: 'Operations' }), 'Users of every customer');
  });

  it('shows the tenants, groups and audit log', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Tenants' })
      .click();
    const directory = page.getByRole('table', { name: 'Tenant directory' });
    await hasCount(directory.locator('tbody tr'), 8);
    await checkView(page, '11-tenants');

    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('link', { name: 'New group' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Everyone');
    await page.getByLabel('Every customer').check();
    await page.getByRole('button', { name: 'Create group' }).click();
    await hasCount(page.getByRole('table', { name: 'Members' }).locator('tbody tr'), 8);
    await checkView(page, '12-group');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Activity').fill('run');
    const events = page.getByRole('table', { name: 'Audit events' });
    await hasText(events.locator('tbody tr').first(), 'managedTenantOperations.run');
    await checkView(page, '13-audit');
  });

  it('works on a 390-pixel-wide phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(operationUrl);
    await visible(page.getByRole('progressbar'));
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await checkView(page, '14-phone-operation');
  });
});
