import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedApp, startApp } from '../apps/start-app.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import { RealtimeClient } from '../support/realtime-client.js';

/**
 * test/apps/vtl-items: VTL resolvers written with CDK's `MappingTemplate` helpers (PutItem with
 * an auto id and projected input, GetItem, Scan, DeleteItem, result item and list) and a NONE
 * resolver in hand-written VTL; the schema from `SchemaFile.fromAsset`; GraphqlApi's default API
 * key. Started with `--app-dir`, driven over HTTP and WebSocket.
 */
let app: StartedApp;
let key: Credentials;
const run = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(app.graphqlUrl, key, query, variables);

beforeAll(async () => {
  app = await startApp('vtl-items');
  key = { kind: 'apiKey', apiKey: app.apiKey };
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

describe('a VTL app from MappingTemplate helpers (--app-dir)', () => {
  it('given a subscriber, when items are added, read, listed and deleted, then each template does its operation and the subscriber sees the add', async () => {
    const client = await RealtimeClient.connect({ realtimeUrl: app.realtimeUrl, graphqlUrl: app.graphqlUrl, credentials: key, caPath: app.caPath });
    try {
      expect((await client.start('s', 'subscription { onAddItem { id name price } }', {}, key)).type).toBe('start_ack');
      const added = await run<{ addItem: { id: string; name: string; price: number } }>('mutation ($i: ItemInput!) { addItem(input: $i) { id name price } }', {
        i: { name: 'lamp', price: 12.5 },
      });
      expect(added.errors).toBeUndefined();
      const id = added.data?.addItem.id ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(added.data?.addItem).toEqual({ id, name: 'lamp', price: 12.5 });

      const got = await run<{ getItem: unknown }>('query ($id: ID!) { getItem(id: $id) { id name price } }', { id });
      expect(got.data?.getItem).toEqual({ id, name: 'lamp', price: 12.5 });
      // Subscribers get the mutation's selection: it selects what they read.
      await run('mutation { addItem(input: { name: "desk" }) { id name price } }');
      const listed = await run<{ listItems: { name: string }[] }>('{ listItems { name } }');
      expect(listed.data?.listItems.map((i) => i.name).sort()).toEqual(['desk', 'lamp']);

      await client.until(() => (client.data('s').length === 2 ? true : undefined));
      expect(client.data('s').map((d) => (d['onAddItem'] as { name: string }).name)).toEqual(['lamp', 'desk']);

      const deleted = await run<{ deleteItem: { name: string } }>('mutation ($id: ID!) { deleteItem(id: $id) { name } }', { id });
      expect(deleted.data?.deleteItem.name).toBe('lamp');
      const gone = await run<{ getItem: unknown }>('query ($id: ID!) { getItem(id: $id) { id } }', { id });
      expect(gone.data?.getItem).toBeNull();
    } finally {
      client.close();
    }
  });

  it('given a NONE data source in VTL, when asked with and without a name, then the payload passes through the templates', async () => {
    expect((await run<{ hello: string }>('{ hello(name: "Ann") }')).data?.hello).toBe('Hello, Ann!');
    expect((await run<{ hello: string }>('{ hello(name: "  ") }')).data?.hello).toBe('Hello, world!');
  });

  it('given a batch template naming its table through the CDK token, when two items are put, then both are written and returned', async () => {
    const added = await run<{ addItems: { id: string; name: string }[] }>('mutation { addItems(names: ["pen", "ink"]) { id name } }');
    expect(added.errors).toBeUndefined();
    expect(added.data?.addItems.map((i) => i.name)).toEqual(['pen', 'ink']);
    const got = await run<{ getItem: { name: string } }>('query ($id: ID!) { getItem(id: $id) { name } }', { id: added.data?.addItems[1]?.id });
    expect(got.data?.getItem.name).toBe('ink');
  });
});
