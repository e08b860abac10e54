import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext } from '../support/browser.js';
import { openPage, signedInAs } from '../support/console-page.js';

/** The orders page in Chromium: the catalog, a cart, the saga followed live over onOrderEvent. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const timeline = (page: Page, list: 'Steps' | 'Compensations') =>
  page.locator('ul.orders > li').first().getByRole('list', { name: list }).locator('li').evaluateAll((items) =>
    items.map((li) => `${li.getAttribute('data-status')}/${li.getAttribute('data-step')}`),
  );

async function order(page: Page, sku: string, payment: string, clicks = 1): Promise<void> {
  await page.locator(`tr[data-sku="${sku}"] button`).click();
  await page.getByLabel('Payment').selectOption(payment);
  const place = page.getByRole('button', { name: 'Place order' });
  await place.waitFor();
  await place.click({ clickCount: clicks });
}

describe('the orders page', () => {
  it('given a signed-in user, when she orders with an approving card (double-clicking Place order), then one order is made and its timeline shows every state up to CONFIRMED', async () => {
    const { context, page, problems } = await newContext(browser);
    await signedInAs(context, 'orders-alice');
    await openPage(page, '/orders', 'Orders');
    await page.locator('tr[data-sku="MUG-01"]').waitFor();

    await order(page, 'MUG-01', 'tok_approve', 2);

    const card = page.locator('ul.orders > li').first();
    await card.locator('.status', { hasText: 'CONFIRMED' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => timeline(page, 'Steps'), { timeout: 15_000 }).toEqual(
      expect.arrayContaining(['VALIDATED/VALIDATE', 'PAID/PAYMENT', 'RESERVED/INVENTORY', 'CONFIRMED/CONFIRM']),
    );
    const steps = await timeline(page, 'Steps');
    const positions = ['VALIDATED/VALIDATE', 'PAID/PAYMENT', 'RESERVED/INVENTORY', 'CONFIRMED/CONFIRM'].map((s) => steps.indexOf(s));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await timeline(page, 'Compensations')).toEqual([]);
    // What the API holds, not only what the page kept: one order.
    await page.reload();
    await page.locator('ul.orders > li').first().waitFor();
    expect(await page.locator('ul.orders > li').count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('given a declining card, when she orders, then the order ends FAILED with the reason and its compensations are shown apart', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'orders-bob');
    await openPage(page, '/orders', 'Orders');
    await page.locator('tr[data-sku="CAP-01"]').waitFor();

    await order(page, 'CAP-01', 'tok_decline');

    const card = page.locator('ul.orders > li').first();
    await card.locator('.status', { hasText: 'FAILED' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => timeline(page, 'Compensations'), { timeout: 15_000 }).toContain('FAILED/MARK_FAILED');
    expect(await timeline(page, 'Steps')).not.toContain('PAID/PAYMENT');
    expect(await card.locator('p.error').textContent()).toContain('card_declined: insufficient funds');
    await context.close();
  });
});
