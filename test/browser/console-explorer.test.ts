import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { browserTarget, launchChromium, newContext } from '../support/browser.js';
import { graphql } from '../support/graphql-client.js';

/**
 * The explorer (GraphiQL, bundled) in Chromium: a query and a subscription in each of the API's
 * auth modes, signed by the Amplify client as the mode says, subscriptions over AppSync's
 * real-time protocol.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const MODES = ['userPool', 'apiKey', 'iam'] as const;
type Mode = (typeof MODES)[number];

/** Opens the explorer with `document` in a fresh profile, signed in as `username`, and runs it in `mode`. */
async function run(username: string, document: string, mode: Mode): Promise<{ page: Page; close: () => Promise<void> }> {
  const t = browserTarget();
  const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
  const tokens = await issuer.issueTokens({ username });
  const { context, page } = await newContext(browser);
  await context.addInitScript(
    ({ clientId, user, idToken, accessToken }) => {
      const prefix = `CognitoIdentityServiceProvider.${clientId}`;
      localStorage.setItem(`${prefix}.LastAuthUser`, user);
      localStorage.setItem(`${prefix}.${user}.idToken`, idToken);
      localStorage.setItem(`${prefix}.${user}.accessToken`, accessToken);
    },
    { clientId: t.userPoolClientId, user: username, idToken: tokens.idToken, accessToken: tokens.accessToken },
  );
  await page.goto(new URL(`/explorer?query=${encodeURIComponent(document)}`, t.consoleUrl).href);
  await page.getByLabel('Authorization').selectOption(mode);
  // The editor loads on demand: run once it holds the document (and the schema has been read).
  await expect.poll(async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/\s+/g, ' '), { timeout: 30_000 }).toContain(document.replace(/\s+/g, ' ').slice(0, 12));
  await page.locator('.graphiql-execute-button').click();
  return { page, close: () => context.close() };
}

// AppSync sends subscribers the fields the mutation selected: all of them.
const PUBLISH = 'mutation($input: PublishFileEventInput!) { publishFileEvent(input: $input) { fileId owner status step message at } }';

const response = (page: Page) => page.locator('.graphiql-response').innerText();

/** The `sub` of the user the local issuer signs `username` in as: the owner of their events. */
async function subOf(username: string): Promise<string> {
  const t = browserTarget();
  const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
  const { idToken } = await issuer.issueTokens({ username });
  return (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
}

const QUERIES: Record<Mode, { document: string; expected: string }> = {
  userPool: { document: '{ products(limit: 2) { items { sku stock } } }', expected: '"sku"' },
  apiKey: { document: '{ uploadPolicy { maxBytes } }', expected: '"maxBytes"' },
  // No query field is open to IAM callers; introspection is, in every mode.
  iam: { document: '{ __schema { queryType { name } } }', expected: '"Query"' },
};

describe('the explorer', () => {
  it.each(MODES)('given mode %s, when a query is run, then the answer of the endpoint is shown', async (mode) => {
    const { page, close } = await run(`explorer-q-${mode}`, QUERIES[mode].document, mode);
    await expect.poll(() => response(page), { timeout: 20_000 }).toContain(QUERIES[mode].expected);
    expect(await response(page)).not.toContain('"errors"');
    await close();
  });

  it('given mode userPool, when onFileEvent is subscribed, then an event the backend publishes for the user is shown as it arrives', async () => {
    const username = 'explorer-sub';
    const { page, close } = await run(username, 'subscription Live { onFileEvent { fileId status step } }', 'userPool');
    const fileId = randomUUID();
    const t = browserTarget();
    const owner = await subOf(username);
    // Published until seen: AppSync delivers nothing sent before the subscription's start_ack.
    await expect
      .poll(
        async () => {
          const published = await graphql(t.graphqlUrl, { kind: 'iam', region: t.region, ...t.developerCredentials }, PUBLISH, {
            input: { fileId, owner, status: 'PROCESSING', step: 'PROCESS', message: 'from the test' },
          });
          expect(published.errors).toBeUndefined();
          return response(page);
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain(fileId);
    await close();
  });

  it.each(['apiKey', 'iam'] as const)('given mode %s, when onFileEvent (user pools only) is subscribed, then the refusal of the real-time endpoint is shown', async (mode) => {
    const { page, close } = await run(`explorer-s-${mode}`, 'subscription Live { onFileEvent { fileId status } }', mode);
    await expect.poll(() => response(page), { timeout: 20_000 }).toMatch(/Unauthorized|Not Authorized/i);
    await close();
  });
});
