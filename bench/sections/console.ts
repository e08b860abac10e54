/**
 * The web console in headless Chromium against the shared local stack:
 * - first load: the gzipped JavaScript the browser fetched for the files page (what is sent,
 *   Resource Timing's encodedBodySize) before the explorer is opened: <= 300 KB;
 * - navigation to the files list painted (the page's `console:files-painted` mark, a frame
 *   after the list is committed), each load in a fresh profile (nothing cached): <= 1 s;
 * - a published event on screen: the stack stamps each event's `at` when it publishes; the page
 *   marks `console:event-shown` the frame after it painted the event: <= 100 ms.
 */
import { randomUUID } from 'node:crypto';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CreateUploadDocument, PublishFileEventDocument } from '../../client/generated/operations.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { graphql } from '../../test/support/graphql-client.js';
import type { BenchContext } from '../lib/context.js';
import { type SectionReport, fmtMs, markdownTable } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import { renderTemplate } from '../lib/template.js';

const FIRST_LOAD_KB = 300;
const PAINT_MS = 1000;
const EVENT_MS = 100;

interface Session {
  readonly username: string;
  readonly sub: string;
  readonly idToken: string;
  readonly accessToken: string;
}

async function openSignedIn(browser: Browser, url: string, clientId: string, session: Session): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(
    ({ clientId: id, user, idToken, accessToken }) => {
      const prefix = `CognitoIdentityServiceProvider.${id}`;
      localStorage.setItem(`${prefix}.LastAuthUser`, user);
      localStorage.setItem(`${prefix}.${user}.idToken`, idToken);
      localStorage.setItem(`${prefix}.${user}.accessToken`, accessToken);
    },
    { clientId, user: session.username, idToken: session.idToken, accessToken: session.accessToken },
  );
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('console:files-painted').length > 0, undefined, { timeout: 60_000 });
  return page;
}

export async function runConsole(ctx: BenchContext): Promise<SectionReport> {
  const stack = (await ctx.localStack()).info;
  const consoleUrl = `http://${stack.host.replace('127.0.0.1', 'localhost')}/files`;
  // The console is built in the background while the stack starts: wait for it outside the timings.
  await fetch(consoleUrl).then((r) => r.text());
  const issuer = await createLocalIssuer({ stateDir: stack.stateDir, region: stack.region, userPoolId: stack.userPoolId, clientId: stack.userPoolClientId });
  const username = 'bench-console';
  const tokens = await issuer.issueTokens({ username });
  const sub = (JSON.parse(Buffer.from(tokens.idToken.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
  const session: Session = { username, sub, idToken: tokens.idToken, accessToken: tokens.accessToken };

  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // A file of the user's, so its card is there for the events.
    const created = await graphql(stack.graphqlUrl, { kind: 'userPool', token: tokens.idToken }, CreateUploadDocument, {
      input: { fileName: 'bench.jpg', contentType: 'image/jpeg', size: 1000 },
    });
    const fileId = created.data?.createUpload.file.id;
    if (!fileId) throw new Error(`createUpload failed: ${JSON.stringify(created.errors)}`);

    // One untimed load first: the files API's first call is a cold start (the coldstart section's figure).
    await (await openSignedIn(browser, consoleUrl, stack.userPoolClientId, session)).context().close();
    const loads = ctx.options.quick ? 3 : 7;
    const paints: number[] = [];
    let scriptBytes = 0;
    let scripts = 0;
    for (let i = 0; i < loads; i++) {
      const page = await openSignedIn(browser, consoleUrl, stack.userPoolClientId, session);
      const figures = await page.evaluate(() => {
        const painted = performance.getEntriesByName('console:files-painted')[0]?.startTime ?? Number.NaN;
        const js = (performance.getEntriesByType('resource') as unknown as { name: string; encodedBodySize: number }[]).filter((r) => new URL(r.name).pathname.endsWith('.js'));
        return { painted, bytes: js.reduce((sum, r) => sum + r.encodedBodySize, 0), count: js.length };
      });
      paints.push(figures.painted);
      scriptBytes = figures.bytes;
      scripts = figures.count;
      await page.context().close();
    }

    // Events: the page open and subscribed, events published one at a time by the backend's way (IAM).
    const page = await openSignedIn(browser, consoleUrl, stack.userPoolClientId, session);
    await page.locator('#file-picker:enabled').waitFor({ state: 'attached', timeout: 30_000 });
    const events = ctx.options.quick ? 10 : 40;
    const iam = { kind: 'iam' as const, region: stack.region, ...stack.developerCredentials };
    for (let i = 0; i < events; i++) {
      const result = await graphql(stack.graphqlUrl, iam, PublishFileEventDocument, {
        input: { fileId, owner: sub, status: 'PROCESSING', step: 'PROCESS', message: `bench ${i} ${randomUUID().slice(0, 6)}` },
      });
      if (result.errors) throw new Error(`publishFileEvent: ${JSON.stringify(result.errors)}`);
      await page.waitForFunction((n) => performance.getEntriesByName('console:event-shown').length >= n, i + 1, { timeout: 10_000 });
    }
    const latencies = await page.evaluate(() =>
      performance.getEntriesByName('console:event-shown').map((m) => performance.timeOrigin + m.startTime - Date.parse((m as unknown as { detail: { at: string } }).detail.at)),
    );
    await page.context().close();

    const kb = scriptBytes / 1024;
    const paint = percentile(paints, 50);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    return {
      name: 'console',
      title: 'Web console',
      comparisons: [
        { measure: 'first-load JS, gzipped (explorer not opened)', ours: `${kb.toFixed(0)} KB`, reference: `${FIRST_LOAD_KB} KB`, ratio: kb / FIRST_LOAD_KB, target: `<= ${FIRST_LOAD_KB} KB`, met: kb <= FIRST_LOAD_KB },
        { measure: 'navigation to files list painted, median', ours: `${fmtMs(paint)} ms`, reference: `${PAINT_MS} ms`, ratio: paint / PAINT_MS, target: `<= ${PAINT_MS} ms`, met: paint <= PAINT_MS },
        { measure: 'published event on screen, p95', ours: `${fmtMs(p95)} ms`, reference: `${EVENT_MS} ms`, ratio: p95 / EVENT_MS, target: `<= ${EVENT_MS} ms`, met: p95 <= EVENT_MS },
      ],
      details: [
        renderTemplate('console', { chromium: browser.version(), scripts, kb: kb.toFixed(1) }),
        '',
        markdownTable(
          ['measure', 'median', 'p95', 'max', 'n'],
          [
            ['navigation to files list painted (ms)', fmtMs(paint), fmtMs(percentile(paints, 95)), fmtMs(Math.max(...paints)), String(paints.length)],
            ['event `at` to painted (ms)', fmtMs(p50), fmtMs(p95), fmtMs(Math.max(...latencies)), String(latencies.length)],
          ],
        ),
      ].join('\n'),
      figures: { firstLoadKiB: kb, paintsMs: paints, eventLatenciesMs: latencies },
    };
  } finally {
    await browser.close();
  }
}
