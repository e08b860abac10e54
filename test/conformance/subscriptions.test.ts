import { afterEach, describe, expect, it } from 'vitest';
import { apiKey, graphql } from './support/http.js';
import { ON_CHANNEL, ON_FILTERED, ON_MESSAGE, channel, publish } from './support/operations.js';
import { RawRealtimeClient } from './support/raw-client.js';

/**
 * Subscriptions (appsync-behaviour.md §4): what a subscriber receives (its own selection of the
 * mutation's selection), argument filters with AppSync's null semantics, enhanced filters with
 * every operator, and invalidation.
 *
 * Deliveries for one connection arrive in order, so each test ends with a marker event a
 * subscription is known to match: once the marker is in, every earlier event has arrived or
 * never will.
 */

const clients: RawRealtimeClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
const connect = async () => {
  const client = await RawRealtimeClient.connect(apiKey());
  clients.push(client);
  return client;
};

const received = (client: RawRealtimeClient, id: string, field: string) =>
  client.data(id).map((payload) => (payload['data'] as Record<string, Record<string, unknown> | null>)[field]);

const waitForBody = (client: RawRealtimeClient, id: string, field: string, body: string) =>
  client.until(() => (received(client, id, field).some((m) => m?.['body'] === body) ? true : undefined), 15_000, `"${body}" on ${id}`);

describe('subscriptions: what a subscriber receives', () => {
  it('given a subscriber selecting fields the mutation did not select, when the mutation runs, then those arrive as null and fields the subscriber did not select are not sent', async () => {
    const client = await connect();
    const ch = channel();
    await client.start('s', ON_MESSAGE, { channel: ch }, apiKey());
    // The mutation selects channel, tags and body; the subscriber channel, kind, priority and body.
    const mutation = 'mutation P($channel: String!) { publish(channel: $channel, kind: "k", priority: 7, tags: ["t"], body: "b") { channel tags body } }';
    expect((await graphql(apiKey(), mutation, { channel: ch })).errors).toBeUndefined();
    const data = await client.next((m) => m.type === 'data' && m.id === 's');
    expect(data.payload).toEqual({ data: { onMessage: { channel: ch, kind: null, priority: null, body: 'b' } } });
  });

  it('given a subscriber selecting a non-null field the mutation did not select, when the mutation runs, then it gets an error and null bubbles to the nullable subscription field', async () => {
    const client = await connect();
    const ch = channel();
    await client.start('s', 'subscription S($channel: String) { onMessage(channel: $channel) { channel required } }', { channel: ch }, apiKey());
    await graphql(apiKey(), 'mutation P($channel: String!) { publish(channel: $channel) { channel } }', { channel: ch });
    const data = await client.next((m) => m.type === 'data' && m.id === 's');
    expect(data.payload?.['data']).toEqual({ onMessage: null });
    expect(data.payload?.['errors']).toEqual([expect.objectContaining({ path: ['onMessage', 'required'] })]);
  });

  it('given a mutation that returns data with an error, when it runs, then the data is still broadcast', async () => {
    const client = await connect();
    const ch = channel();
    await client.start('s', ON_MESSAGE, { channel: ch }, apiKey());
    const response = await graphql(apiKey(), 'mutation P($channel: String!) { publishWithError(channel: $channel, body: "partial") { channel body } }', { channel: ch });
    expect(response.errors).toEqual([expect.objectContaining({ errorType: 'PartialFailure' })]);
    await waitForBody(client, 's', 'onMessage', 'partial');
  });

  it('given an event published before a subscription starts, when the subscriber is live, then it gets only later events: no replay', async () => {
    const client = await connect();
    const ch = channel();
    await publish({ channel: ch, body: 'before' });
    await client.start('s', ON_MESSAGE, { channel: ch }, apiKey());
    await publish({ channel: ch, body: 'after' });
    await waitForBody(client, 's', 'onMessage', 'after');
    expect(received(client, 's', 'onMessage').map((m) => m?.['body'])).toEqual(['after']);
  });
});

describe('subscriptions: argument filters', () => {
  it('given arguments omitted, given, and explicitly null, when events are published, then an omitted argument filters nothing, a value matches equal fields, and null matches only null', async () => {
    const client = await connect();
    const ch = channel();
    await client.start('any-kind', ON_MESSAGE, { channel: ch }, apiKey());
    await client.start('news', ON_MESSAGE, { channel: ch, kind: 'news' }, apiKey());
    await client.start('null-kind', ON_MESSAGE, { channel: ch, kind: null }, apiKey());
    await client.start('other-channel', ON_MESSAGE, { channel: channel('other') }, apiKey());

    await publish({ channel: ch, kind: 'news', body: 'news' });
    await publish({ channel: ch, kind: 'sport', body: 'sport' });
    await publish({ channel: ch, body: 'no kind' });
    await publish({ channel: ch, kind: null, priority: 1, body: 'marker' });
    await waitForBody(client, 'null-kind', 'onMessage', 'marker');

    const bodies = (id: string) => received(client, id, 'onMessage').map((m) => m?.['body']);
    expect(bodies('any-kind')).toEqual(['news', 'sport', 'no kind', 'marker']);
    expect(bodies('news')).toEqual(['news']);
    expect(bodies('null-kind')).toEqual(['no kind', 'marker']);
    expect(bodies('other-channel')).toEqual([]);
  });
});

describe('subscriptions: enhanced filters', () => {
  it('given one subscription per operator, when three events and a marker are published, then each receives exactly the events its filter selects', async () => {
    const client = await connect();
    const ch = channel();
    const cases: Record<string, { filter: Record<string, unknown>; expected: string[] }> = {
      eq: { filter: { kind: { eq: 'beta' } }, expected: ['e2'] },
      ne: { filter: { kind: { ne: 'beta' } }, expected: ['e1', 'e3'] },
      le: { filter: { priority: { le: 5 } }, expected: ['e1', 'e2'] },
      lt: { filter: { priority: { lt: 5 } }, expected: ['e1'] },
      ge: { filter: { priority: { ge: 5 } }, expected: ['e2', 'e3'] },
      gt: { filter: { priority: { gt: 5 } }, expected: ['e3'] },
      containsText: { filter: { body: { contains: 'world' } }, expected: ['e1'] },
      containsItem: { filter: { tags: { contains: 'blue' } }, expected: ['e2'] },
      notContains: { filter: { body: { notContains: 'hello' } }, expected: ['e2'] },
      beginsWith: { filter: { body: { beginsWith: 'hello' } }, expected: ['e1', 'e3'] },
      in: { filter: { kind: { in: ['alpha', 'gamma'] } }, expected: ['e1', 'e3'] },
      notIn: { filter: { kind: { notIn: ['alpha', 'gamma'] } }, expected: ['e2'] },
      between: { filter: { priority: { between: [2, 10] } }, expected: ['e2', 'e3'] },
      containsAny: { filter: { tags: { containsAny: ['green', 'blue'] } }, expected: ['e1', 'e2'] },
      andWithinFilter: { filter: { kind: { eq: 'alpha' }, priority: { gt: 5 } }, expected: [] },
      orAcrossGroup: { filter: { or: [{ kind: { eq: 'alpha' } }, { priority: { gt: 5 } }] }, expected: ['e1', 'e3'] },
      dotPath: { filter: { 'nested.inner.label': { eq: 'deep' } }, expected: ['e2'] },
    };
    const bodyOf: Record<string, string> = { e1: 'hello world', e2: 'goodbye', e3: 'hello again' };
    for (const [id, { filter }] of Object.entries(cases)) {
      // Every filter also pins the channel (AND), so other tests' events never count.
      const ack = await client.start(id, ON_FILTERED, { filter: JSON.stringify({ channel: { eq: ch }, ...filter }) }, apiKey());
      expect(ack).toEqual({ type: 'start_ack', id });
    }
    const markerChannel = `${ch}-marker`;
    await client.start('marker', ON_FILTERED, { filter: JSON.stringify({ channel: { eq: markerChannel } }) }, apiKey());

    await publish({ channel: ch, kind: 'alpha', priority: 1, tags: ['red', 'green'], body: bodyOf['e1']! });
    await publish({ channel: ch, kind: 'beta', priority: 5, tags: ['blue'], body: bodyOf['e2']!, nested: { label: 'top', inner: { label: 'deep' } } });
    await publish({ channel: ch, kind: 'gamma', priority: 10, tags: [], body: bodyOf['e3']! });
    await publish({ channel: markerChannel, body: 'marker' });
    await waitForBody(client, 'marker', 'onFiltered', 'marker');

    for (const [id, { expected }] of Object.entries(cases)) {
      expect({ id, bodies: received(client, id, 'onFiltered').map((m) => m?.['body']) }).toEqual({ id, bodies: expected.map((e) => bodyOf[e]) });
    }
  });

  it('given an enhanced filter and a contradicting argument, when events are published, then the enhanced filter takes precedence', async () => {
    const client = await connect();
    const ch = channel();
    await client.start('s', ON_FILTERED, { filter: JSON.stringify({ channel: { eq: ch } }), channel: 'some-other-channel' }, apiKey());
    await publish({ channel: ch, body: 'by the enhanced filter' });
    await waitForBody(client, 's', 'onFiltered', 'by the enhanced filter');
  });
});

describe('subscriptions: invalidation', () => {
  it('given two channels\' subscriptions on one connection, when a mutation invalidates one channel, then that subscription gets complete and nothing more, and the other keeps receiving', async () => {
    const client = await connect();
    const closing = channel('closing');
    const staying = channel('staying');
    await client.start('closing', ON_CHANNEL, { channel: closing }, apiKey());
    await client.start('staying', ON_CHANNEL, { channel: staying }, apiKey());

    const invalidated = await graphql(apiKey(), 'mutation I($channel: String!) { invalidate(channel: $channel) { channel } }', { channel: closing });
    expect(invalidated.errors).toBeUndefined();
    expect(await client.next((m) => m.type === 'complete')).toEqual({ type: 'complete', id: 'closing' });

    await publish({ channel: closing, body: 'after invalidation' });
    await publish({ channel: staying, body: 'still subscribed' });
    await waitForBody(client, 'staying', 'onChannel', 'still subscribed');
    expect(client.data('closing')).toEqual([]);
    expect(client.closedWith).toBeUndefined();
  });
});
