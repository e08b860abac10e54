import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations, tabTo } from '../support/a11y.js';
import { browserTarget, launchChromium, newContext } from '../support/browser.js';
import { card, filesReady, openPage, signedInAs } from '../support/console-page.js';
import { makeJpeg } from '../support/images.js';

/** axe-core on every page, and the two main tasks done with the keyboard alone. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('accessibility', () => {
  it('given the sign-in page, then axe-core finds no serious or critical violation', async () => {
    const { context, page } = await newContext(browser);
    await page.goto(browserTarget().consoleUrl);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Create Account' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('given a user with the keyboard only, when she uploads a photograph and orders, then both work and every page has no serious or critical violation', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'keyboard-kim');
    await openPage(page, '/files', 'Files');
    await filesReady(page);

    // Upload: Tab to the picker, Space opens the system's file chooser. The wait starts before the
    // Tabs: Playwright turns on Chromium's chooser interception without awaiting it, and a key
    // pressed straight after went uncaught about one time in six on a fresh browser.
    const chooserOpened = page.waitForEvent('filechooser');
    await tabTo(page, '#file-picker');
    await page.keyboard.press('Space');
    const chooser = await chooserOpened;
    await chooser.setFiles({ name: 'keys.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(640, 480) });
    await card(page, 'keys.jpg').locator('.status', { hasText: 'READY' }).waitFor({ timeout: 60_000 });
    await card(page, 'keys.jpg').locator('.thumbs img').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // To the orders page by its link, then a cart and an order, all from the keyboard.
    await tabTo(page, 'a[href="/orders"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await page.locator('tr[data-sku="NOTE-01"]').waitFor();
    await tabTo(page, 'tr[data-sku="NOTE-01"] button');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Place order' }).waitFor();
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.locator('ul.orders > li .status', { hasText: 'CONFIRMED' }).waitFor({ timeout: 60_000 });
    expect(await seriousViolations(page)).toEqual([]);

    await openPage(page, '/explorer', 'Explorer');
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);

    await openPage(page, '/local', 'Local stack');
    await page.getByRole('heading', { name: 'Dead-letter queues' }).waitFor();
    await page.locator('table tbody tr').first().waitFor({ timeout: 15_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
