import { describe, expect, it, vi } from 'vitest';
import {
  GOOD_KEY,
  GRAPHQL_HOST,
  Gate,
  SUBSCRIPTION_QUERY,
  connect,
  errorFrame,
  goodHeader,
  serversPerTest,
  startMessage,
} from '../../support/realtime-server.js';

const servers = serversPerTest();

describe('given an acknowledged connection', () => {
  it('when the client starts a subscription, then start_ack and then a data message per delivery', async () => {
    const { server, client } = await servers.acknowledged();
    const start = startMessage('sub-1');

    client.send(start);

    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'sub-1' });
    server.engine.publish({ data: { onCreateItem: { id: '1', name: 'a' } } });
    server.engine.publish({ data: { onCreateItem: { id: '2', name: 'b' } } });
    expect(await client.nextNonKa()).toEqual({
      type: 'data',
      id: 'sub-1',
      payload: { data: { onCreateItem: { id: '1', name: 'a' } } },
    });
    expect(await client.nextNonKa()).toMatchObject({
      id: 'sub-1',
      payload: { data: { onCreateItem: { id: '2' } } },
    });
    client.close();
  });

  it('when the client starts a subscription, then the start is authorized as POST /graphql over the data string, before the engine is asked', async () => {
    const { server, client } = await servers.acknowledged();
    const start = startMessage('sub-1', {
      authorization: { Host: GRAPHQL_HOST, 'X-Api-Key': GOOD_KEY, 'X-Amz-User-Agent': 'test' },
    });

    client.send(start);
    await client.nextNonKa();

    expect(server.authenticator.requests[1]).toEqual({
      method: 'POST',
      path: '/graphql',
      body: start.payload['data'],
      headers: { host: GRAPHQL_HOST, 'x-api-key': GOOD_KEY, 'x-amz-user-agent': 'test' },
      sourceIp: '127.0.0.1',
    });
    expect(server.engine.subscriptions[0]).toMatchObject({
      request: { query: SUBSCRIPTION_QUERY, variables: {} },
      caller: { mode: 'API_KEY', identity: null },
    });
    client.close();
  });

  it('when the client stops a subscription, then complete, the engine is unsubscribed and no more data arrives', async () => {
    const { server, client } = await servers.acknowledged();
    client.send(startMessage('sub-1'));
    await client.nextNonKa();
    const [recorded] = server.engine.subscriptions;

    client.send({ type: 'stop', id: 'sub-1' });

    expect(await client.nextNonKa()).toEqual({ type: 'complete', id: 'sub-1' });
    expect(recorded?.unsubscribed).toBe(true);
    recorded?.deliver({ data: { onCreateItem: { id: 'late' } } });
    expect(await client.quietFor(100)).toEqual([]);
    client.close();
  });

  it('when the client stops an id it never started, then complete anyway', async () => {
    const { client } = await servers.acknowledged();

    client.send({ type: 'stop', id: 'nope' });

    expect(await client.nextNonKa()).toEqual({ type: 'complete', id: 'nope' });
    client.close();
  });

  it('when the client reuses the id of an active subscription, then DuplicatedOperationError and the first keeps working', async () => {
    const { server, client } = await servers.acknowledged();
    client.send(startMessage('dup'));
    await client.nextNonKa();

    client.send(startMessage('dup'));

    expect(await client.nextNonKa()).toEqual(errorFrame('dup', { errorType: 'DuplicatedOperationError', message: 'Duplicated operation with id dup' }));
    expect(server.engine.subscriptions).toHaveLength(1);
    server.engine.publish({ data: { onCreateItem: { id: '1' } } });
    expect(await client.nextNonKa()).toMatchObject({ type: 'data', id: 'dup' });
    client.close();
  });

  it('when a second start with the same id arrives before the first is acknowledged, then it is still a duplicate', async () => {
    const { server, client } = await servers.acknowledged();

    client.send(startMessage('dup'));
    client.send(startMessage('dup'));

    const first = await client.nextNonKa();
    const second = await client.nextNonKa();
    expect([first.type, second.type].sort()).toEqual(['error', 'start_ack']);
    expect(server.engine.subscriptions).toHaveLength(1);
    client.close();
  });

  it('when an id is started again after stop, then it is accepted', async () => {
    const { client } = await servers.acknowledged();
    client.send(startMessage('again'));
    await client.nextNonKa();
    client.send({ type: 'stop', id: 'again' });
    await client.nextNonKa();

    client.send(startMessage('again'));

    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'again' });
    client.close();
  });

  it('when the subscription limit is reached, then MaxSubscriptionsReachedError until one is stopped', async () => {
    const { client } = await servers.acknowledged({ maxSubscriptionsPerConnection: 2 });
    client.send(startMessage('a'));
    client.send(startMessage('b'));
    await client.nextNonKa();
    await client.nextNonKa();

    client.send(startMessage('c'));

    expect(await client.nextNonKa()).toEqual(errorFrame('c', { errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 2 subscriptions reached' }));
    client.send({ type: 'stop', id: 'a' });
    expect(await client.nextNonKa()).toEqual({ type: 'complete', id: 'a' });
    client.send(startMessage('c'));
    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'c' });
    client.close();
  });
});

describe('given a start whose authorization fails', () => {
  it('when the credentials are rejected, then error UnauthorizedException and the engine is not asked', async () => {
    const { server, client } = await servers.acknowledged();

    client.send(startMessage('s', { authorization: { host: GRAPHQL_HOST, 'x-api-key': 'bad' } }));

    expect(await client.nextNonKa()).toEqual(errorFrame('s', { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }));
    expect(server.engine.subscriptions).toHaveLength(0);
    client.close();
  });

  it('when the host is not the GraphQL host, then error UnauthorizedException', async () => {
    const { client } = await servers.acknowledged();

    client.send(startMessage('s', { authorization: { host: 'elsewhere', 'x-api-key': GOOD_KEY } }));

    expect(await client.nextNonKa()).toMatchObject({
      type: 'error',
      id: 's',
      payload: { errors: [{ errorType: 'UnauthorizedException' }] },
    });
    client.close();
  });

  it('when extensions.authorization is missing, then error UnauthorizedException naming it', async () => {
    const { server, client } = await servers.acknowledged();

    client.send(startMessage('s', { authorization: null }));

    expect(await client.nextNonKa()).toEqual(errorFrame('s', { errorType: 'UnauthorizedException', message: 'Message field "payload.extensions.authorization" is missing', errorCode: 401 }));
    expect(server.authenticator.requests).toHaveLength(1); // the handshake only
    client.close();
  });

  it('when the connection was opened with other credentials, then each subscription still uses its own', async () => {
    const { client } = await servers.acknowledged();

    client.send(startMessage('ok'));
    client.send(startMessage('nok', { authorization: { host: GRAPHQL_HOST, 'x-api-key': 'x' } }));

    const replies = [await client.nextNonKa(), await client.nextNonKa()];
    expect(replies).toContainEqual({ type: 'start_ack', id: 'ok' });
    expect(replies).toContainEqual(expect.objectContaining({ type: 'error', id: 'nok' }));
    client.close();
  });
});

describe('given a start the engine refuses', () => {
  it('when the engine answers not ok, then error with the engine errors and the id is free again', async () => {
    const { client } = await servers.acknowledged();

    client.send(startMessage('v', { query: 'subscription { invalid }' }));

    expect(await client.nextNonKa()).toEqual(errorFrame('v', { errorType: 'ValidationError', message: 'Validation error of type FieldUndefined' }));
    client.send(startMessage('v'));
    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'v' });
    client.close();
  });

  it('when payload.data is not JSON, then BadRequestException naming payload.data', async () => {
    const { client } = await servers.acknowledged();

    client.send({ type: 'start', id: 'x', payload: { data: '{nope', extensions: { authorization: goodHeader() } } });

    expect(await client.nextNonKa()).toEqual(errorFrame('x', { errorType: 'BadRequestException', message: 'Message field "payload.data" is not valid JSON' }));
    client.close();
  });
});

describe('given invalid frames', () => {
  it('when a frame is not JSON, then BadRequestException and the connection stays usable', async () => {
    const { client } = await servers.acknowledged();

    client.send('this is not json');

    expect(await client.nextNonKa()).toEqual(errorFrame(undefined, { errorType: 'BadRequestException', message: 'Message is not valid JSON' }));
    client.send(startMessage('after'));
    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'after' });
    client.close();
  });

  it('when the type is unknown, then UnsupportedOperation naming the type', async () => {
    const { client } = await servers.acknowledged();

    client.send({ type: 'subscribe', id: 'q' });

    expect(await client.nextNonKa()).toEqual(errorFrame('q', { errorType: 'UnsupportedOperation', message: 'subscribe not supported through the realtime channel' }));
    client.close();
  });

  it('when a start has no id, then BadRequestException naming the id field', async () => {
    const { client } = await servers.acknowledged();

    client.send({ type: 'start', payload: { data: '{}' } });

    expect(await client.nextNonKa()).toEqual(errorFrame(undefined, { errorType: 'BadRequestException', message: 'Message field "id" must be a non-empty string' }));
    client.close();
  });
});

describe('given a payload larger than maxPayloadBytes', () => {
  it('when it is delivered, then it is not sent and it is logged, and smaller ones still go through', async () => {
    const { server, client } = await servers.acknowledged({ maxPayloadBytes: 1024 });
    client.send(startMessage('big'));
    await client.nextNonKa();

    server.engine.publish({ data: { onCreateItem: { id: '1', name: 'x'.repeat(2_000) } } });
    server.engine.publish({ data: { onCreateItem: { id: '2', name: 'é'.repeat(600) } } }); // 1,200 bytes
    server.engine.publish({ data: { onCreateItem: { id: '3', name: 'small' } } });

    expect(await client.nextNonKa()).toMatchObject({ type: 'data', payload: { data: { onCreateItem: { id: '3' } } } });
    expect(await client.quietFor(50)).toEqual([]);
    const warnings = server.log.filter((l) => l.message.includes('exceeds the size limit'));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]?.details).toMatchObject({ maxPayloadBytes: 1024 });
    client.close();
  });
});

describe('given messages sent without waiting for connection_ack', () => {
  it('when connection_init and start are sent back to back, then ack, ka, start_ack in that order', async () => {
    const server = await servers.start();
    const client = await connect(server.port);

    client.send({ type: 'connection_init' });
    client.send(startMessage('eager'));

    expect((await client.next()).type).toBe('connection_ack');
    expect((await client.next()).type).toBe('ka');
    expect(await client.next()).toEqual({ type: 'start_ack', id: 'eager' });
    client.close();
  });
});

describe('given an engine that delivers before subscribe resolves', () => {
  it('when the start is acknowledged, then that early event was not sent (live only from start_ack)', async () => {
    const { client } = await servers.acknowledged();

    client.send(startMessage('e', { query: 'subscription { early }' }));

    expect(await client.nextNonKa()).toEqual({ type: 'start_ack', id: 'e' });
    expect(await client.quietFor(50)).toEqual([]);
    client.close();
  });
});

describe('given a stop while the start is still pending', () => {
  it('when it is still being authorized, then complete at once and the engine is never asked', async () => {
    const { server, client } = await servers.acknowledged();
    const gate = (server.authenticator.gate = new Gate());

    client.send(startMessage('racy'));
    client.send({ type: 'stop', id: 'racy' });

    expect(await client.nextNonKa()).toEqual({ type: 'complete', id: 'racy' });
    gate.open();
    expect(await client.quietFor(100)).toEqual([]);
    expect(server.engine.subscriptions).toHaveLength(0);
    client.close();
  });

  it('when the engine is still subscribing, then it is unsubscribed once it accepts and no start_ack is sent', async () => {
    const { server, client } = await servers.acknowledged();
    const gate = (server.engine.gate = new Gate());
    client.send(startMessage('racy'));
    await vi.waitFor(() => expect(server.engine.calls).toBe(1), { interval: 5 });

    client.send({ type: 'stop', id: 'racy' });

    expect(await client.nextNonKa()).toEqual({ type: 'complete', id: 'racy' });
    gate.open();
    expect(await client.quietFor(300)).toEqual([]);
    expect(server.engine.subscriptions).toHaveLength(1);
    expect(server.engine.active).toHaveLength(0);
    client.close();
  });
});

describe('given a connection with subscriptions', () => {
  it('when the socket closes, then every subscription is unsubscribed', async () => {
    const { server, client } = await servers.acknowledged();
    client.send(startMessage('1'));
    client.send(startMessage('2'));
    await client.nextNonKa();
    await client.nextNonKa();

    client.close();
    await client.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(server.engine.subscriptions).toHaveLength(2);
    expect(server.engine.active).toHaveLength(0);
    expect(server.realtime.connectionCount).toBe(0);
  });
});
