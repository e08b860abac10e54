import type { Page } from 'playwright-core';
import { readMailbox } from '../../local/cognito/index.js';
import { browserTarget } from './browser.js';

/** The newest code the local user pool "sent" to `address` (its mailbox file), waiting for it. */
export async function codeFor(address: string, after = 0): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const messages = (await readMailbox(browserTarget().stateDir)).filter((m) => m.to.toLowerCase() === address.toLowerCase());
    const latest = messages.slice(after).at(-1);
    if (latest) return latest.code;
    if (Date.now() > deadline) throw new Error(`No code in the mailbox for ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const mailCount = async (address: string): Promise<number> =>
  (await readMailbox(browserTarget().stateDir)).filter((m) => m.to.toLowerCase() === address.toLowerCase()).length;

/** Signs up through the Authenticator and confirms with the code from the mailbox; ends signed in. */
export async function signUpThroughConsole(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('tab', { name: 'Create Account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm Password').fill(password);
  await page.getByRole('button', { name: 'Create Account' }).click();
  await page.getByLabel('Confirmation Code').fill(await codeFor(email));
  await page.getByRole('button', { name: 'Confirm' }).click();
}

export async function signInThroughConsole(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
