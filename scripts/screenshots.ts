/**
 * `npm run screenshots`: a screenshot of each page of the web console into docs/, as the README
 * shows them. Starts a local stack of its own (fresh state, free ports), signs a user up through
 * the console with the mailed code, uploads photographs (and a text file named .jpg), places an
 * order that is confirmed and one that is declined, then photographs each page in Chromium.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readMailbox } from '../local/cognito/index.js';
import { startLocalStack } from '../local/stack.js';
import { makeJpeg } from '../test/support/images.js';

const projectDir = fileURLToPath(new URL('..', import.meta.url));
const shot = (name: string) => `${projectDir}docs/console-${name}.png`;

const stack = await startLocalStack({ projectDir, port: 0, s3Port: 0, ephemeral: true, asyncRetryDelaysMs: [200, 400], log: () => undefined, functionOutput: () => undefined });
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })).newPage();
  await page.goto(stack.consoleUrl);
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 120_000 });
  await page.screenshot({ path: shot('sign-in') });

  const email = 'ada@example.com';
  await page.getByRole('tab', { name: 'Create Account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('Correct-Horse-9-battery');
  await page.getByLabel('Confirm Password').fill('Correct-Horse-9-battery');
  await page.getByRole('button', { name: 'Create Account' }).click();
  await page.getByLabel('Confirmation Code').waitFor();
  const code = (await readMailbox(stack.stateDir)).filter((m) => m.to === email).at(-1)?.code ?? '';
  await page.getByLabel('Confirmation Code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor({ timeout: 30_000 });
  await page.locator('#file-picker:enabled').waitFor({ state: 'attached', timeout: 30_000 });

  await page.locator('#file-picker').setInputFiles([
    { name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(1600, 1067) },
    { name: 'meadow.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(1200, 900) },
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not an image, just text\n'.repeat(20)) },
  ]);
  await page.locator('li.card[data-status="READY"]').nth(1).waitFor({ timeout: 90_000 });
  await page.locator('li.card[data-status="FAILED"]').waitFor({ timeout: 90_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: shot('files'), fullPage: true });

  await page.getByRole('link', { name: 'Orders' }).click();
  await page.locator('tr[data-sku="MUG-01"] button').click();
  await page.locator('tr[data-sku="NOTE-01"] button').click();
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('ul.orders > li[data-status="CONFIRMED"]').waitFor({ timeout: 60_000 });
  await page.locator('tr[data-sku="CAP-01"] button').click();
  await page.getByLabel('Payment').selectOption('tok_decline');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('ul.orders > li[data-status="FAILED"]').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: shot('orders'), fullPage: true });

  await page.getByRole('link', { name: 'Explorer' }).click();
  await page.locator('.graphiql-execute-button').click({ timeout: 60_000 });
  await page.locator('.graphiql-response').getByText('"products"').waitFor({ timeout: 30_000 });
  await page.screenshot({ path: shot('explorer') });

  await page.getByRole('link', { name: 'Local stack' }).click();
  await page.locator('table tbody tr').first().waitFor({ timeout: 30_000 });
  await page.locator('ul.executions button').first().click();
  await page.locator('ol.history li').first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: shot('local'), fullPage: true });
  console.log('Screenshots written to docs/console-{sign-in,files,orders,explorer,local}.png');
} finally {
  await browser.close();
  await stack.stop();
}
