import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from '../../client/amplify.js';
import { type AppApi, type StartedApp, startApp } from '../apps/start-app.js';
import { installTrustingWebSocket } from '../support/amplify.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import { RealtimeClient } from '../support/realtime-client.js';

/**
 * test/apps/two-apis: two GraphqlApi constructs in one stack, with the same mutation and
 * subscription names (`post`, `onPost`): `notes` (APPSYNC_JS on DynamoDB, API key) first in the
 * template, `pings` (a NONE data source, its own API key and IAM) second. Each is an API of its
 * own: its endpoint, keys, auth modes and subscriptions. Started with `--app-dir`.
 */
let app: StartedApp;
let notes: AppApi;
let pings: AppApi;
let iam: Credentials;

const key = (api: AppApi): Credentials => ({ kind: 'apiKey', apiKey: api.apiKey });
const post = (api: AppApi, text: string, credentials: Credentials = key(api)) =>
  graphql<{ post: { id: string; text: string } }>(api.graphqlUrl, credentials, 'mutation ($text: String!) { post(text: $text) { id text } }', { text });
const textsOf = (client: RealtimeClient, id: string) => client.data(id).map((d) => (d['onPost'] as { text: string }).text);
const count = (texts: readonly string[], text: string) => texts.filter((t) => t === text).length;

beforeAll(async () => {
  app = await startApp('two-apis');
  [notes, pings] = app.apis as [AppApi, AppApi];
  iam = { kind: 'iam', ...app.developer, region: 'us-east-1' };
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

describe('an app with two GraphQL APIs (--app-dir)', () => {
  it('given two APIs, when the stack starts, then the first is where a one-API app is, the second under /apis/<logical id>, and the printout lists both with their keys', () => {
    expect(app.apis.map((api) => api.name)).toEqual(['notes', 'pings']);
    expect(new URL(notes.graphqlUrl).pathname).toBe('/graphql');
    expect(notes.realtimeUrl).toBe(`wss://${new URL(notes.graphqlUrl).host}/graphql/realtime`);
    expect(pings.logicalId).toMatch(/^PingsApi/);
    expect(new URL(pings.graphqlUrl).pathname).toBe(`/apis/${pings.logicalId}/graphql`);
    expect(pings.realtimeUrl).toBe(`${pings.graphqlUrl.replace('http://', 'wss://')}/realtime`);

    for (const api of app.apis) {
      expect(count(app.output().split('\n'), `  GraphQL     ${api.graphqlUrl}  (${api.name}, ${api.logicalId}${api === notes ? ', in the client config' : ''})`)).toBe(1);
      expect(app.output()).toContain(`  Real time   ${api.realtimeUrl}`);
    }
    expect(count(app.output().split('\n'), `  API key     ${notes.apiKey}`)).toBe(1);
    expect(count(app.output().split('\n'), `  API key     ${pings.apiKey}`)).toBe(1);
    expect(notes.apiKey).not.toBe(pings.apiKey);
  });

  it("given each API's key, when each API is called with its own key and with the other's, then only its own is accepted", async () => {
    expect((await post(notes, 'own key')).data?.post.text).toBe('own key');
    expect((await post(pings, 'own key')).data?.post.text).toBe('own key');

    const notesWithPingsKey = await post(notes, 'wrong key', key(pings));
    const pingsWithNotesKey = await post(pings, 'wrong key', key(notes));

    expect(notesWithPingsKey.status).toBe(401);
    expect(pingsWithNotesKey.status).toBe(401);
  });

  it('given IAM as an additional mode of the second API only, when the developer signs a request to each, then the second answers and the first refuses', async () => {
    const hello = await graphql<{ hello: string }>(pings.graphqlUrl, iam, '{ hello }');
    const refused = await graphql(notes.graphqlUrl, iam, '{ post(id: "x") { id } }');

    expect(hello.data?.hello).toBe('hello from pings');
    expect(refused.status).toBe(401);
  });

  it("given a subscriber to onPost on each API, when posts alternate between the APIs, then each subscriber gets its own API's posts once each and none of the other's", async () => {
    const notesClient = await RealtimeClient.connect({ realtimeUrl: notes.realtimeUrl, graphqlUrl: notes.graphqlUrl, credentials: key(notes), caPath: app.caPath });
    // IAM over the second API's path: the handshake and the start are signed for /apis/<id>/graphql.
    const pingsClient = await RealtimeClient.connect({ realtimeUrl: pings.realtimeUrl, graphqlUrl: pings.graphqlUrl, credentials: iam, caPath: app.caPath });
    try {
      expect((await notesClient.start('n', 'subscription { onPost { id text } }', {}, key(notes))).type).toBe('start_ack');
      expect((await pingsClient.start('p', 'subscription { onPost { id text } }', {}, iam)).type).toBe('start_ack');

      // Each API's last post is sent after the other's first: what crossed would come before it.
      for (const [api, text] of [[notes, 'notes 1'], [pings, 'pings 1'], [notes, 'notes 2'], [pings, 'pings 2']] as const) {
        expect((await post(api, text)).data?.post.text).toBe(text);
      }
      await notesClient.until(() => (textsOf(notesClient, 'n').includes('notes 2') ? true : undefined));
      await pingsClient.until(() => (textsOf(pingsClient, 'p').includes('pings 2') ? true : undefined));

      expect(textsOf(notesClient, 'n')).toEqual(['notes 1', 'notes 2']);
      expect(count(textsOf(notesClient, 'n'), 'pings 1')).toBe(0);
      expect(textsOf(pingsClient, 'p')).toEqual(['pings 1', 'pings 2']);
      expect(count(textsOf(pingsClient, 'p'), 'notes 1') + count(textsOf(pingsClient, 'p'), 'notes 2')).toBe(0);
    } finally {
      notesClient.close();
      pingsClient.close();
    }
  });

  it("given the second API's GraphQL URL only, when aws-amplify v6 subscribes and a post is made, then Amplify finds its real-time endpoint and receives the post", async () => {
    const restoreWebSocket = installTrustingWebSocket(app.caPath);
    Amplify.configure({ API: { GraphQL: { endpoint: pings.graphqlUrl, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: pings.apiKey } } });
    const received: string[] = [];
    const errors: Error[] = [];
    const acked = new Promise<void>((resolve) => {
      const stop = Hub.listen('api', ({ payload }) => {
        if (payload.event !== 'Subscription ack') return;
        stop();
        resolve();
      });
    });
    const document = parse('subscription { onPost { id text } }') as TypedDocumentNode<{ onPost: { text: string } }, Record<string, never>>;
    const subscription = subscribe(document, {}, (data) => received.push(data.onPost.text), (error) => errors.push(error), 'apiKey');
    try {
      await acked;
      await post(pings, 'to amplify');
      await post(notes, 'not to amplify');
      await post(pings, 'control');
      await expect.poll(() => received.includes('control'), { timeout: 15_000 }).toBe(true);

      expect(errors).toEqual([]);
      expect(received).toEqual(['to amplify', 'control']);
    } finally {
      subscription.unsubscribe();
      restoreWebSocket();
    }
  });

  it("given a function on the first API whose environment names the second API's attributes, when it runs, then each resolves to that API's local URL and id", async () => {
    const result = await graphql<{ endpoints: Record<string, string> }>(notes.graphqlUrl, key(notes), '{ endpoints { notesUrl pingsUrl pingsRealtimeUrl pingsId } }');

    expect(result.data?.endpoints).toEqual({
      notesUrl: notes.graphqlUrl,
      pingsUrl: pings.graphqlUrl,
      pingsRealtimeUrl: pings.realtimeUrl,
      pingsId: expect.stringMatching(/^[a-z2-7]{26}$/),
    });
  });
});

describe('--api, of an app with two GraphQL APIs', () => {
  it('given --api naming the second by its name, when the app starts, then the client config describes it and the printout marks it, both APIs staying where they were', async () => {
    const chosen = await startApp('two-apis', {}, ['--api', 'pings']);
    try {
      const [first, second] = chosen.apis as [AppApi, AppApi];

      expect(chosen.graphqlUrl).toBe(second.graphqlUrl);
      expect(chosen.apiKey).toBe(second.apiKey);
      expect(new URL(first.graphqlUrl).pathname).toBe('/graphql');
      expect(new URL(second.graphqlUrl).pathname).toBe(`/apis/${second.logicalId}/graphql`);
      expect(count(chosen.output().split('\n'), `  GraphQL     ${second.graphqlUrl}  (pings, ${second.logicalId}, in the client config)`)).toBe(1);
      expect((await graphql<{ hello: string }>(chosen.graphqlUrl, { kind: 'apiKey', apiKey: chosen.apiKey }, '{ hello }')).data?.hello).toBe('hello from pings');
    } finally {
      await chosen.stop();
    }
  }, 240_000);

  it('given --api naming no API of the app, when npm start runs, then it exits 1 with one line listing the APIs', async () => {
    const started = startApp('two-apis', {}, ['--api', 'nope']);

    await expect(started).rejects.toThrow(/exited \(1\) before it was ready:\n--api nope names no GraphQL API of the app; it has notes \(NotesApi\w+\), pings \(PingsApi\w+\)\.\n?$/);
  }, 240_000);
});
