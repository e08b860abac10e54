import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { launchChromium, newContext } from '../support/browser.js';
import { codeFor, mailCount, signInThroughConsole, signUpThroughConsole } from '../support/console-auth.js';
import { browserTarget } from '../support/browser.js';

/**
 * Amplify UI's Authenticator against the local Cognito user pool: the real SRP sign-in, the codes
 * read from the stack's mailbox file as a person reads `npm run mail`.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing up and in through the console', () => {
  it('given a new address, when a person signs up and enters the code from the mailbox, then she is signed in on the page she asked for; signing out and in again lands there too', async () => {
    const email = `new-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'Correct-Horse-9-battery';
    const { context, page, problems } = await newContext(browser);
    await page.goto(new URL('/orders', browserTarget().consoleUrl).href);

    await signUpThroughConsole(page, email, password);
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.who').textContent()).toBe(email);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signInThroughConsole(page, email, password);
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/orders');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    await context.close();
  });

  it('given a session that has expired and can no longer be refreshed, when the user opens a page, then she is asked to sign in and lands on that page', async () => {
    const email = `expired-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'Correct-Horse-9-battery';
    const { context, page } = await newContext(browser);
    await page.goto(browserTarget().consoleUrl);
    await signUpThroughConsole(page, email, password);
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor({ timeout: 30_000 });

    // The stored session as it is after its tokens expired and the refresh token was revoked:
    // tokens two hours old (signed by the stack's issuer), no refresh token.
    const t = browserTarget();
    const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
    const old = await issuer.issueTokens({ username: email, issuedAt: Math.floor(Date.now() / 1000) - 2 * 3600 });
    await page.evaluate(
      ({ clientId, idToken, accessToken }) => {
        const { localStorage } = globalThis as unknown as { localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void } };
        const prefix = `CognitoIdentityServiceProvider.${clientId}`;
        const user = localStorage.getItem(`${prefix}.LastAuthUser`);
        localStorage.setItem(`${prefix}.${user}.idToken`, idToken);
        localStorage.setItem(`${prefix}.${user}.accessToken`, accessToken);
        localStorage.removeItem(`${prefix}.${user}.refreshToken`);
      },
      { clientId: t.userPoolClientId, idToken: old.idToken, accessToken: old.accessToken },
    );

    await page.goto(new URL('/orders', t.consoleUrl).href);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 30_000 });
    await signInThroughConsole(page, email, password);
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/orders');
    await context.close();
  });

  it('given a confirmed user who forgot her password, when she resets it with the mailed code, then the new password signs her in and the old one no longer does', async () => {
    const email = `reset-${randomUUID().slice(0, 8)}@example.com`;
    const { context, page } = await newContext(browser);
    await page.goto(browserTarget().consoleUrl);
    await signUpThroughConsole(page, email, 'First-Password-1');
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();

    const before = await mailCount(email);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Code').fill(await codeFor(email, before));
    await page.getByLabel('New Password').fill('Second-Password-2');
    await page.getByLabel('Confirm Password').fill('Second-Password-2');
    await page.getByRole('button', { name: 'Submit' }).click();

    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signInThroughConsole(page, email, 'First-Password-1');
    await page.getByText('Incorrect username or password').waitFor({ timeout: 15_000 });
    await signInThroughConsole(page, email, 'Second-Password-2');
    await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor({ timeout: 30_000 });
    await context.close();
  });
});
