import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTarget, launchChromium, newContext } from '../support/browser.js';
import { card, filesReady, openPage, signedInAs, stepsOf } from '../support/console-page.js';
import { makeJpeg } from '../support/images.js';

/**
 * The files page in Chromium: a real photograph through the real upload (PUT to the signed URL),
 * the pipeline's steps live over Amplify's subscription, the thumbnails from the bucket.
 */
/** An image's natural width once it has loaded (0 while it loads or when it failed). */
const loadedWidth = (element: unknown): number => {
  const img = element as { complete: boolean; naturalWidth: number };
  return img.complete ? img.naturalWidth : 0;
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the files page', () => {
  it('given a signed-in user, when she picks a real photograph, then the bar reaches 100%, the steps arrive in time order ending READY, and a 200-wide thumbnail shows', async () => {
    const { context, page, problems } = await newContext(browser);
    await signedInAs(context, 'files-alice');
    await openPage(page, '/files', 'Files');
    await filesReady(page);

    await page.locator('#file-picker').setInputFiles({ name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(1200, 800) });

    const harbour = card(page, 'harbour.jpg');
    await harbour.locator('output', { hasText: '100%' }).waitFor({ timeout: 30_000 });
    await harbour.locator('.status', { hasText: 'READY' }).waitFor({ timeout: 60_000 });
    const thumbnail = harbour.locator('.thumbs img').first();
    await thumbnail.waitFor({ timeout: 30_000 });
    await expect.poll(() => thumbnail.evaluate(loadedWidth), { timeout: 15_000 }).toBe(200);

    const steps = await stepsOf(page, 'harbour.jpg');
    const times = steps.map((s) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(steps.at(-1)?.status).toBe('READY');
    expect(steps.filter((s) => s.status === 'READY')).toHaveLength(1);
    expect(new Set(steps.filter((s) => s.status === 'PROCESSING').map((s) => s.step))).toEqual(new Set(['PROCESS', 'THUMBNAIL']));

    // The larger rendition opens from the thumbnail.
    await harbour.locator('.thumbs button').first().click();
    await expect.poll(() => harbour.locator('figure.large img').evaluate(loadedWidth), { timeout: 15_000 }).toBe(800);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('given a text file named .jpg, when it is uploaded, then its card reads FAILED with the reason in words', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'files-bob');
    await openPage(page, '/files', 'Files');
    await filesReady(page);

    await page.locator('#file-picker').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not an image, just text\n'.repeat(20)) });

    const notes = card(page, 'notes.jpg');
    await notes.locator('.status', { hasText: 'FAILED' }).waitFor({ timeout: 60_000 });
    const message = await notes.locator('p.error').textContent({ timeout: 30_000 });
    expect(message).toMatch(/^Failed/);
    expect(message?.length).toBeGreaterThan('Failed: '.length + 10);
    await context.close();
  });

  it('given a READY photograph, when she reprocesses it, then its steps run again to READY; when she deletes it, then it is gone, also after a reload', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'files-dan');
    await openPage(page, '/files', 'Files');
    await filesReady(page);
    await page.locator('#file-picker').setInputFiles({ name: 'again.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(500, 500) });
    const again = card(page, 'again.jpg');
    await again.locator('.status', { hasText: 'READY' }).waitFor({ timeout: 60_000 });

    await again.getByRole('button', { name: 'Reprocess again.jpg' }).click();
    await again.locator('ol.steps li[data-status="PROCESSING"]').first().waitFor({ timeout: 30_000 });
    await again.locator('ol.steps li[data-status="READY"]').waitFor({ timeout: 60_000 });
    expect(await again.locator('ol.steps li[data-status="READY"]').count()).toBe(1);

    await again.getByRole('button', { name: 'Delete again.jpg' }).click();
    await again.waitFor({ state: 'detached', timeout: 15_000 });
    await page.reload();
    await page.locator('ul.files[data-loaded="true"]').waitFor({ state: 'attached', timeout: 30_000 });
    expect(await card(page, 'again.jpg').count()).toBe(0);
    await context.close();
  });

  it('given a refresh of a READY photograph still in flight, when she deletes it, then the late answer does not bring its card back', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'files-erin');
    await openPage(page, '/files', 'Files');
    await filesReady(page);
    await page.locator('#file-picker').setInputFiles({ name: 'late.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(400, 300) });
    const late = card(page, 'late.jpg');
    await late.locator('.status', { hasText: 'READY' }).waitFor({ timeout: 60_000 });

    // The page re-reads a file when its READY event arrives: the server answers that read at once,
    // and the answer is held on its way back to the page.
    const isFileQuery = (body: string | null) => body?.includes('query File(') ?? false;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const refreshHeld = new Promise<void>((resolve) => {
      void page.route(browserTarget().graphqlUrl, async (route) => {
        if (!isFileQuery(route.request().postData())) return route.continue();
        const answer = await route.fetch();
        resolve();
        await released;
        return route.fulfill({ response: answer });
      });
    });
    await late.getByRole('button', { name: 'Reprocess late.jpg' }).click();
    await refreshHeld;

    await late.getByRole('button', { name: 'Delete late.jpg' }).click();
    await late.waitFor({ state: 'detached', timeout: 15_000 });
    const answered = page.waitForResponse((response) => isFileQuery(response.request().postData()));
    release();
    await answered;
    // Two frames: React has committed whatever the answer caused.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const frames = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
          frames.requestAnimationFrame(() => frames.requestAnimationFrame(() => resolve()));
        }),
    );
    expect(await late.count()).toBe(0);
    await context.close();
  });

  it('given the upload policy, when a file of a refused type or over the size limit is picked, then it is refused before any upload', async () => {
    const { context, page } = await newContext(browser);
    await signedInAs(context, 'files-carol');
    await openPage(page, '/files', 'Files');
    await filesReady(page);
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') uploads.push(request.url());
    });

    await page.locator('#file-picker').setInputFiles([
      { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text') },
      { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(26 * 1024 * 1024, 1) },
    ]);

    const refused = page.getByRole('list', { name: 'Refused before upload' }).getByRole('listitem');
    await expect.poll(() => refused.allTextContents()).toEqual([expect.stringContaining('readme.txt'), expect.stringContaining('huge.jpg')]);
    expect(await page.locator('li.card').count()).toBe(0);
    expect(uploads).toEqual([]);
    await context.close();
  });
});
