import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { ListeningApp, startListening } from '../support/test-app';

const SCREENSHOTS = join(__dirname, '../../artifacts/screenshots');

describe('Swagger UI in a real browser', () => {
  jest.setTimeout(120_000);
  let server: ListeningApp;
  let browser: Browser;
  let base: string;
  let token: string;

  beforeAll(async () => {
    server = await startListening();
    token = server.token;
    base = server.baseUrl;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the seed's example with Try it out and shows the 201 and the entity", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
    await page.goto(`${base}/docs`);
    // Authorize as a person would: the Authorize dialog, the bearer token, Authorize, Close.
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.modal-ux input').first().fill(token);
    await page.locator('.modal-ux button.modal-btn.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();
    const operation = page.locator(
      '#operations-managedTenantOperations-ManagedTenantOperationsController_create',
    );
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const example = await operation.locator('textarea.body-param__text').inputValue();
    expect(JSON.parse(example)['@odata.type']).toBe(
      '#microsoft.management.services.api.managedTenantOperation',
    );
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation
      .locator('.live-responses-table .response .response-col_status')
      .first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.innerText()).trim()).toBe('201');
    const shownBody = await operation
      .locator('.live-responses-table .response-col_description pre.microlight')
      .first()
      .innerText();
    const entity = JSON.parse(shownBody);
    expect(entity.name).toBe(JSON.parse(example).name);
    expect(entity['@odata.context']).toContain('/beta/$metadata#managedTenantOperations/$entity');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await operation.screenshot({ path: join(SCREENSHOTS, 'swagger-try-it-out-create.png') });
    // The entity the browser created is really there.
    const stored = await fetch(`${base}/beta/managedTenantOperations/${entity.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stored.status).toBe(200);
  });
});
