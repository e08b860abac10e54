import type { BrowserContext, Page } from 'playwright-core';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { browserTarget } from './browser.js';

/**
 * Puts a local user-pool session where Amplify keeps it (localStorage, under the app client's id),
 * so a test that is not about signing in starts signed in. Sign-up and sign-in themselves are
 * driven through the Authenticator in console-auth.test.ts.
 */
export async function signedInAs(context: BrowserContext, username: string): Promise<void> {
  const t = browserTarget();
  const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
  const tokens = await issuer.issueTokens({ username });
  await context.addInitScript(
    ({ clientId, user, idToken, accessToken }) => {
      const prefix = `CognitoIdentityServiceProvider.${clientId}`;
      if (localStorage.getItem(`${prefix}.LastAuthUser`)) return;
      localStorage.setItem(`${prefix}.LastAuthUser`, user);
      localStorage.setItem(`${prefix}.${user}.idToken`, idToken);
      localStorage.setItem(`${prefix}.${user}.accessToken`, accessToken);
      localStorage.setItem(`${prefix}.${user}.clockDrift`, '0');
    },
    { clientId: t.userPoolClientId, user: username, idToken: tokens.idToken, accessToken: tokens.accessToken },
  );
}

/** Opens a page of the console and waits until it is on screen. */
export async function openPage(page: Page, path: '/files' | '/orders' | '/explorer' | '/local' | '/', heading: string): Promise<void> {
  await page.goto(new URL(path, browserTarget().consoleUrl).href);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: 30_000 });
}

/** Waits until the files page's live subscription is acknowledged (the picker is enabled then). */
export async function filesReady(page: Page): Promise<void> {
  await page.locator('#file-picker:enabled').waitFor({ state: 'attached', timeout: 30_000 });
}

/** The steps a file's card shows, in the order shown. */
export async function stepsOf(page: Page, fileName: string): Promise<{ step: string; status: string; at: string }[]> {
  return page.locator(`li.card:has(h3:text-is("${fileName}")) ol.steps li`).evaluateAll((items) =>
    items.map((li) => ({
      step: li.getAttribute('data-step') ?? '',
      status: li.getAttribute('data-status') ?? '',
      at: li.querySelector('time')?.getAttribute('datetime') ?? '',
    })),
  );
}

export const card = (page: Page, fileName: string) => page.locator(`li.card:has(h3:text-is("${fileName}"))`);
