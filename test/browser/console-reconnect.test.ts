import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument } from '../../client/generated/operations.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import { browserTarget, launchChromium, newContext } from '../support/browser.js';
import { card, filesReady, openPage, signedInAs, stepsOf } from '../support/console-page.js';
import { graphql } from '../support/graphql-client.js';

/** The stack out of reach and back: a banner, the subscriptions reconnected, nothing shown twice. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PUBLISH = 'mutation($input: PublishFileEventInput!) { publishFileEvent(input: $input) { fileId owner status step message at } }';

describe('losing the stack', () => {
  it('given the files page, when the network goes away and comes back, then a banner says so meanwhile, live events resume, and each event is shown once', async () => {
    const t = browserTarget();
    const username = 'reconnect-rita';
    const issuer = await createLocalIssuer({ stateDir: t.stateDir, region: t.region, userPoolId: t.userPoolId, clientId: t.userPoolClientId });
    const { idToken } = await issuer.issueTokens({ username });
    const owner = (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
    const created = await graphql(t.graphqlUrl, { kind: 'userPool', token: idToken }, CreateUploadDocument, {
      input: { fileName: 'waiting.jpg', contentType: 'image/jpeg', size: 1000 },
    });
    const fileId = created.data!.createUpload.file.id;
    const iam = { kind: 'iam' as const, region: t.region, ...t.developerCredentials };
    const publish = async (message: string) => {
      const result = await graphql(t.graphqlUrl, iam, PUBLISH, { input: { fileId, owner, status: 'PROCESSING', step: 'PROCESS', message } });
      expect(result.errors).toBeUndefined();
    };

    const { context, page } = await newContext(browser);
    await signedInAs(context, username);
    await openPage(page, '/files', 'Files');
    await filesReady(page);
    await publish('before');
    await card(page, 'waiting.jpg').locator('ol.steps li', { hasText: 'before' }).waitFor({ timeout: 15_000 });

    await context.setOffline(true);
    await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor({ timeout: 30_000 });
    await context.setOffline(false);
    await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor({ state: 'detached', timeout: 60_000 });

    // Published until seen: the resubscription is live only after its start_ack.
    const marker = `after ${randomUUID().slice(0, 8)}`;
    await expect
      .poll(
        async () => {
          await publish(marker);
          return card(page, 'waiting.jpg').locator('ol.steps li', { hasText: marker }).count();
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    const steps = await stepsOf(page, 'waiting.jpg');
    const keys = steps.map((s) => `${s.at}|${s.status}|${s.step}`);
    expect(keys.length).toBe(new Set(keys).size);
    const times = steps.map((s) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await context.close();
  });
});
