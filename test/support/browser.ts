import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { inject } from 'vitest';
import type { StackTarget } from './test-stack.js';

/** The stack the browser suite drives, as test/browser/global-setup.ts provides it. */
export interface BrowserTarget extends StackTarget {
  readonly consoleUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    browserTarget: BrowserTarget;
  }
}

export const browserTarget = (): BrowserTarget => inject('browserTarget');

/** Debian's Chromium (`.ci/run` installs it), as it comes: certificate errors are NOT ignored. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser profile (its own storage: another user), collecting the page's errors. */
export async function newContext(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}
