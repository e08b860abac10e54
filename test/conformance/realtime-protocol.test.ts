import { afterEach, describe, expect, it } from 'vitest';
import { apiKey, bearer } from './support/http.js';
import { userToken } from './support/identities.js';
import { ON_MESSAGE, ON_USER_MESSAGE, channel, publish } from './support/operations.js';
import { RawRealtimeClient, handshakeHeader } from './support/raw-client.js';
import { isLocal, target } from './support/target.js';

/**
 * AppSync's real-time protocol (appsync-behaviour.md §5) spoken by a raw `ws` client: the three
 * handshake forms, the message order, and every error AppSync answers with.
 */

const clients: RawRealtimeClient[] = [];
const track = (client: RawRealtimeClient) => {
  clients.push(client);
  return client;
};
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const connect = async () => track(await RawRealtimeClient.connect(apiKey()));
const onMessage = (id: string, ch: string, client: RawRealtimeClient) => client.start(id, ON_MESSAGE, { channel: ch }, apiKey());
const bodies = (client: RawRealtimeClient, id: string) =>
  client.data(id).map((payload) => ((payload['data'] as { onMessage: { body: string } }).onMessage.body));

describe('real-time protocol: handshake', () => {
  it.each(['subprotocol', 'query'] as const)(
    'given the API key in the %s handshake form, when the client sends connection_init, then the server answers connection_ack with connectionTimeoutMs',
    async (form) => {
      const client = track(await RawRealtimeClient.open({ credentials: apiKey(), form }));
      const ack = await client.init();
      expect(ack).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300_000 } });
    },
  );

  it.skipIf(!isLocal())(
    'given the API key as a plain HTTP header of the upgrade (the third form), when the client sends connection_init, then it is acknowledged',
    async () => {
      const client = track(await RawRealtimeClient.open({ credentials: apiKey(), form: 'headers' }));
      expect((await client.init()).type).toBe('connection_ack');
    },
  );

  it('given a handshake whose host is not the API\'s GraphQL host, when the client sends connection_init, then it gets connection_error UnauthorizedException and the socket closes', async () => {
    const header = await handshakeHeader(apiKey(), 'evil.example.com');
    const client = track(await RawRealtimeClient.open({ credentials: apiKey(), header }));
    const answer = await client.init();
    expect(answer.type).toBe('connection_error');
    const [error] = (answer.payload?.['errors'] ?? []) as { errorType: string; errorCode?: number }[];
    expect(error?.errorType).toBe('UnauthorizedException');
    expect(error?.errorCode).toBe(401);
    await client.closed();
  });

  it('given a handshake with a wrong API key, when the client sends connection_init, then it gets connection_error with errorCode 401 (final for aws-amplify)', async () => {
    const client = track(await RawRealtimeClient.open({ credentials: apiKey('da2-not-a-key') }));
    const answer = await client.init();
    expect(answer.type).toBe('connection_error');
    expect(answer.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'UnauthorizedException', errorCode: 401 })]);
  });

  it.skipIf(target().initTimeoutMs === undefined)(
    'given an open socket, when no connection_init arrives within the timeout, then the server sends connection_error and closes the connection',
    async () => {
      const client = track(await RawRealtimeClient.open({ credentials: apiKey() }));
      const error = await client.next((m) => m.type === 'connection_error');
      expect(error.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
      await client.closed();
      expect(client.messages.some((m) => m.type === 'connection_ack')).toBe(false);
    },
  );
});

describe('real-time protocol: messages', () => {
  it('given an acknowledged connection, then ka messages keep arriving on the keep-alive interval', async () => {
    const client = await connect();
    const kas = () => client.messages.filter((m) => m.type === 'ka').length;
    // AppSync sends one right after the ack and then about once a minute; the local stack
    // sends them on its configured interval.
    await client.until(() => (kas() >= 2 ? true : undefined), target().keepAliveMs * 3 + 5_000, 'two ka messages');
    expect(client.messages.map((m) => m.type).filter((t) => t !== 'ka')).toEqual(['connection_ack']);
  });

  it('given a start, when a matching mutation runs after start_ack, then the subscriber gets data with the subscription field, then stop gets complete and nothing more arrives for that id', async () => {
    const client = await connect();
    const ch = channel();
    expect(await onMessage('sub-1', ch, client)).toEqual({ type: 'start_ack', id: 'sub-1' });
    expect(await onMessage('marker', ch, client)).toEqual({ type: 'start_ack', id: 'marker' });

    await publish({ channel: ch, body: 'first' });
    const data = await client.next((m) => m.type === 'data' && m.id === 'sub-1');
    expect(data).toEqual({
      type: 'data',
      id: 'sub-1',
      payload: { data: { onMessage: { channel: ch, kind: null, priority: null, body: 'first' } } },
    });

    client.stop('sub-1');
    expect(await client.next((m) => m.type === 'complete')).toEqual({ type: 'complete', id: 'sub-1' });
    await publish({ channel: ch, body: 'second' });
    // The marker subscription gets the second message: had sub-1 been live, its copy would have come first.
    await client.until(() => (bodies(client, 'marker').includes('second') ? true : undefined));
    expect(bodies(client, 'sub-1')).toEqual(['first']);
  });

  it('given a live subscription id, when a second start reuses it, then the second gets DuplicatedOperationError and the first keeps receiving', async () => {
    const client = await connect();
    const ch = channel();
    expect(await onMessage('same', ch, client)).toEqual({ type: 'start_ack', id: 'same' });
    void client.start('same', ON_MESSAGE, { channel: channel('other') }, apiKey());
    const error = await client.next((m) => m.type === 'error' && m.id === 'same');
    expect(error.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'DuplicatedOperationError' })]);
    await publish({ channel: ch, body: 'still live' });
    await client.until(() => (bodies(client, 'same').includes('still live') ? true : undefined));
  });

  it('given an acknowledged connection, when the client sends a message type AppSync does not know, then it gets an UnsupportedOperation error and the connection stays usable', async () => {
    const client = await connect();
    client.send({ type: 'subscribe', id: 'x' });
    const error = await client.next((m) => m.type === 'error');
    expect(error.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'UnsupportedOperation' })]);
    expect(await onMessage('after', channel(), client)).toEqual({ type: 'start_ack', id: 'after' });
  });

  it('given a socket that has not sent connection_init, when it sends a start, then the start is refused with an error and no subscription starts', async () => {
    const client = track(await RawRealtimeClient.open({ credentials: apiKey() }));
    const answer = await client.start('early', ON_MESSAGE, { channel: channel() }, apiKey());
    expect(answer.type).toBe('error');
    expect(answer.id).toBe('early');
    expect(client.messages.some((m) => m.type === 'start_ack')).toBe(false);
  });

  it('given a connection with 100 subscriptions, when it starts one more, then that one gets MaxSubscriptionsReachedError', async () => {
    const client = await connect();
    const ch = channel();
    await Promise.all(Array.from({ length: 100 }, (_, i) => onMessage(`s${i}`, ch, client)));
    expect(client.messages.filter((m) => m.type === 'start_ack')).toHaveLength(100);
    const over = await onMessage('s100', ch, client);
    expect(over.type).toBe('error');
    expect(over.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'MaxSubscriptionsReachedError' })]);
  });

  it('given a connection made with the API key, when a start for a user-pools-only field carries the API key, then it is Unauthorized; with a user token in its own authorization it starts', async () => {
    const client = await connect();
    const ch = channel();
    const refused = await client.start('by-key', ON_USER_MESSAGE, { channel: ch }, apiKey());
    expect(refused.type).toBe('error');
    expect(refused.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'Unauthorized' })]);

    const token = await userToken('realtime-user');
    expect(await client.start('by-user', ON_USER_MESSAGE, { channel: ch }, bearer(token))).toEqual({ type: 'start_ack', id: 'by-user' });
    await publish({ channel: ch, body: 'for users' });
    const data = await client.next((m) => m.type === 'data' && m.id === 'by-user');
    expect(data.payload).toEqual({ data: { onUserMessage: { channel: ch, body: 'for users' } } });
  });

  it('given a start whose authorization is not valid, when it is sent on a good connection, then it gets UnauthorizedException and the connection stays open', async () => {
    const client = await connect();
    const answer = await client.start('bad-auth', ON_MESSAGE, { channel: channel() }, apiKey('da2-not-a-key'));
    expect(answer.type).toBe('error');
    expect(answer.payload?.['errors']).toEqual([expect.objectContaining({ errorType: 'UnauthorizedException' })]);
    expect(client.closedWith).toBeUndefined();
  });

  it('given a subscriber, when a mutation result over 240 KB is published, then it is not delivered and the next small one is', async () => {
    const client = await connect();
    const ch = channel();
    await onMessage('big', ch, client);
    await publish({ channel: ch, body: 'x'.repeat(250 * 1024) });
    await publish({ channel: ch, body: 'small' });
    await client.until(() => (bodies(client, 'big').includes('small') ? true : undefined));
    expect(bodies(client, 'big')).toEqual(['small']);
  });
});
