import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../support/browser.js';
import { card, filesReady, openPage, signedInAs } from '../support/console-page.js';
import { makeJpeg } from '../support/images.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('two users in two browser contexts', () => {
  it("given dora's files and orders page open while erin uploads and orders in another context, then dora sees none of erin's files or orders, live or after a reload", async () => {
    const dora = await newContext(browser);
    const erin = await newContext(browser);
    await signedInAs(dora.context, 'isolation-dora');
    await signedInAs(erin.context, 'isolation-erin');
    const doraOrders = await dora.context.newPage();
    await openPage(dora.page, '/files', 'Files');
    await filesReady(dora.page);
    await openPage(doraOrders, '/orders', 'Orders');
    await openPage(erin.page, '/files', 'Files');
    await filesReady(erin.page);

    await erin.page.locator('#file-picker').setInputFiles({ name: 'erin-only.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(400, 300) });
    await card(erin.page, 'erin-only.jpg').locator('.status', { hasText: 'READY' }).waitFor({ timeout: 60_000 });
    await openPage(erin.page, '/orders', 'Orders');
    await erin.page.locator('tr[data-sku="PEN-01"] button').click();
    await erin.page.getByRole('button', { name: 'Place order' }).click();
    await erin.page.locator('ul.orders > li .status', { hasText: 'CONFIRMED' }).waitFor({ timeout: 60_000 });

    // Erin's events have all been published by now; none reached dora's pages.
    expect(await dora.page.locator('li.card').count()).toBe(0);
    expect(await doraOrders.locator('ul.orders > li').count()).toBe(0);
    await dora.page.reload();
    await dora.page.locator('ul.files[data-loaded="true"]').waitFor({ state: 'attached' });
    expect(await dora.page.locator('li.card').count()).toBe(0);
    await doraOrders.reload();
    await doraOrders.getByText('No orders yet.').waitFor();
    expect(await doraOrders.locator('ul.orders > li').count()).toBe(0);
    await Promise.all([dora.context.close(), erin.context.close()]);
  });
});
