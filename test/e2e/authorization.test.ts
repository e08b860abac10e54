import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnOrderEventDocument, PlaceOrderDocument, PublishOrderEventDocument, CreateUploadDocument, FileDocument, FilesDocument, OnFileEventDocument, PublishFileEventDocument, type PublishOrderEventInput } from '../../client/generated/operations.js';
import { orderIdFor } from '../../resolvers/orders/domain/identity.js';
import type { Ticket } from '../support/files.js';
import { type Credentials, type GraphQLResponse, documentText, graphql } from '../support/graphql-client.js';
import { expiredTokenFor, subOf, withForgedClaims } from '../support/identity.js';
import type { OrderEvent } from '../support/orders.js';
import { RealtimeClient } from '../support/realtime-client.js';
import { target, tokenFor } from '../support/target.js';

/**
 * Who may do what: user pools (the default mode) for the caller's own files and events, the API
 * key for the public upload policy only, IAM (the backend) alone for publishing events.
 * One file, over 400 lines, because every case is checked against the same two users with a
 * real-time connection each, as one table of who may do what (docs/testing.md).
 */

interface FileEvent {
  fileId: string;
  owner: string;
  status: string;
  step: string;
  message: string | null;
  at: string;
}

/** What a confirmed order announces to its owner, in order (docs/orders.md). */
const CONFIRMED_PATH = [
  ['VALIDATED', 'VALIDATE'],
  ['PAID', 'PAYMENT'],
  ['RESERVED', 'INVENTORY'],
  ['CONFIRMED', 'CONFIRM'],
  ['CONFIRMED', 'NOTIFY'],
];

const NO_AUTH_BODY = {
  errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }],
};

/** AppSync's answer to a caller whose auth mode the field does not allow: one Unauthorized error, no data. */
function expectUnauthorized(response: GraphQLResponse<unknown>, type: 'Query' | 'Mutation', field: string): void {
  expect(response.status).toBe(200);
  expect(response.data).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]).toMatchObject({
    errorType: 'Unauthorized',
    message: `Not Authorized to access ${field} on type ${type}`,
    path: [field],
  });
}

describe('authorization', () => {
  let alice: Credentials;
  let bob: Credentials;
  let aliceSub: string;
  let bobSub: string;
  let apiKey: Credentials;
  let iam: Credentials;
  let aliceFileId: string;
  let bobFileId: string;
  let aliceRealtime: RealtimeClient;
  let bobRealtime: RealtimeClient;

  const connect = (credentials: Credentials) =>
    RealtimeClient.connect({
      realtimeUrl: target().realtimeUrl,
      graphqlUrl: target().graphqlUrl,
      credentials,
      caPath: target().caPath,
    });

  const createUpload = async (credentials: Credentials, fileName: string): Promise<Ticket> => {
    const created = await graphql(target().graphqlUrl, credentials, CreateUploadDocument, {
      input: { fileName, contentType: 'image/jpeg', size: 1024 },
    });
    expect(created.errors).toBeUndefined();
    return created.data!.createUpload;
  };

  /** Publishes as the backend does (IAM); fails the test if the publish itself fails. */
  const publish = async (input: Record<string, unknown>, selection: TypedDocumentNode<unknown, never> | string = PublishFileEventDocument) => {
    const response = await graphql<{ publishFileEvent: FileEvent }>(target().graphqlUrl, iam, documentText(selection), { input });
    expect(response.errors).toBeUndefined();
    expect(response.data?.publishFileEvent).toBeTruthy();
    return response.data!.publishFileEvent;
  };

  const events = (client: RealtimeClient, id: string): FileEvent[] =>
    client.data(id).map((d) => d['onFileEvent'] as FileEvent);

  /** Waits until the subscription `id` has received an event carrying `message`. */
  const receive = (client: RealtimeClient, id: string, message: string) =>
    client.until(() => events(client, id).find((e) => e.message === message), 15_000, `event "${message}" on ${id}`);

  const subscribe = async (
    client: RealtimeClient,
    id: string,
    credentials: Credentials,
    variables: Record<string, unknown> = {},
    query: TypedDocumentNode<unknown, never> | string = OnFileEventDocument,
  ) => {
    const ack = await client.start(id, documentText(query), variables, credentials);
    expect(ack).toEqual({ type: 'start_ack', id });
  };

  beforeAll(async () => {
    const [aliceToken, bobToken] = await Promise.all([tokenFor('authz-alice'), tokenFor('authz-bob')]);
    alice = { kind: 'userPool', token: aliceToken };
    bob = { kind: 'userPool', token: bobToken };
    aliceSub = subOf(aliceToken);
    bobSub = subOf(bobToken);
    apiKey = { kind: 'apiKey', apiKey: target().apiKey };
    iam = { kind: 'iam', region: target().region, ...target().developerCredentials };
    [aliceFileId, bobFileId] = (
      await Promise.all([createUpload(alice, 'alice-private.jpg'), createUpload(bob, 'bob.jpg')])
    ).map((ticket) => ticket.file.id) as [string, string];
    [aliceRealtime, bobRealtime] = await Promise.all([connect(alice), connect(bob)]);
  });
  afterAll(() => {
    aliceRealtime?.close();
    bobRealtime?.close();
  });

  describe('reading files', () => {
    it("given alice's file, when bob asks for it by id, then he gets null with no error, while alice gets her file", async () => {
      const asBob = await graphql(target().graphqlUrl, bob, FileDocument, { id: aliceFileId });
      expect(asBob.status).toBe(200);
      expect(asBob.errors).toBeUndefined();
      expect(asBob.data).toEqual({ file: null });

      const asAlice = await graphql(target().graphqlUrl, alice, FileDocument, { id: aliceFileId });
      expect(asAlice.errors).toBeUndefined();
      expect(asAlice.data!.file).toMatchObject({ id: aliceFileId, owner: aliceSub });
    });

    it("given alice's file, when bob lists his files, then it is not among them, while his own file and alice's listing are right", async () => {
      const asBob = await graphql(target().graphqlUrl, bob, FilesDocument, { limit: 100 });
      expect(asBob.errors).toBeUndefined();
      const bobIds = asBob.data!.files.items.map((f) => f.id);
      expect(bobIds).toContain(bobFileId);
      expect(bobIds).not.toContain(aliceFileId);
      expect(asBob.data!.files.items.every((f) => f.owner === bobSub)).toBe(true);

      const asAlice = await graphql(target().graphqlUrl, alice, FilesDocument, { limit: 100 });
      const aliceIds = asAlice.data!.files.items.map((f) => f.id);
      expect(aliceIds).toContain(aliceFileId);
      expect(aliceIds).not.toContain(bobFileId);
    });
  });

  describe('subscriptions', () => {
    it("given bob subscribed to alice's file id and to all his events, when the backend publishes alice's events, then only alice's subscriptions receive them", async () => {
      await subscribe(bobRealtime, 'bob-on-alice-file', bob, { fileId: aliceFileId });
      await subscribe(bobRealtime, 'bob-all', bob);
      await subscribe(aliceRealtime, 'alice-on-file', alice, { fileId: aliceFileId });
      await subscribe(aliceRealtime, 'alice-all', alice);

      const secret = `alice-secret-${randomUUID()}`;
      await publish({ fileId: aliceFileId, owner: aliceSub, status: 'PROCESSING', step: 'PROCESS', message: secret });
      expect(await receive(aliceRealtime, 'alice-on-file', secret)).toMatchObject({ fileId: aliceFileId, owner: aliceSub });
      expect(await receive(aliceRealtime, 'alice-all', secret)).toMatchObject({ fileId: aliceFileId, owner: aliceSub });

      // Later events each of bob's subscriptions SHOULD get: once they have arrived, alice's
      // earlier event would have too, had it been delivered to bob.
      const forBobAll = `bob-own-${randomUUID()}`;
      await publish({ fileId: bobFileId, owner: bobSub, status: 'PROCESSING', step: 'PROCESS', message: forBobAll });
      // The owner filter is on the event's `owner`: an event about this file id addressed to bob.
      const forBobById = `bob-addressed-${randomUUID()}`;
      await publish({ fileId: aliceFileId, owner: bobSub, status: 'PROCESSING', step: 'PROCESS', message: forBobById });
      await receive(bobRealtime, 'bob-all', forBobById);
      await receive(bobRealtime, 'bob-on-alice-file', forBobById);

      expect(events(bobRealtime, 'bob-all').map((e) => e.message)).toEqual([forBobAll, forBobById]);
      expect(events(bobRealtime, 'bob-on-alice-file').map((e) => e.message)).toEqual([forBobById]);
      const bobSaw = JSON.stringify(bobRealtime.messages);
      expect(bobSaw).not.toContain(secret);
      expect(bobSaw).not.toContain(aliceSub);
      // Nor did alice get bob's events, not even the one about her file id.
      const aliceLater = `alice-later-${randomUUID()}`;
      await publish({ fileId: aliceFileId, owner: aliceSub, status: 'READY', step: 'NOTIFY', message: aliceLater });
      await receive(aliceRealtime, 'alice-on-file', aliceLater);
      await receive(aliceRealtime, 'alice-all', aliceLater);
      expect(events(aliceRealtime, 'alice-on-file').map((e) => e.message)).toEqual([secret, aliceLater]);
      expect(events(aliceRealtime, 'alice-all').map((e) => e.message)).toEqual([secret, aliceLater]);

      for (const id of ['bob-on-alice-file', 'bob-all']) bobRealtime.stop(id);
      for (const id of ['alice-on-file', 'alice-all']) aliceRealtime.stop(id);
    });

    it('given the owner subscribed with fewer fields than the publish selects, when the backend publishes, then she receives exactly the fields she selected and another user receives nothing', async () => {
      const narrow = `subscription Narrow($fileId: ID) { onFileEvent(fileId: $fileId) { fileId status message } }`;
      await subscribe(aliceRealtime, 'alice-narrow', alice, { fileId: aliceFileId }, narrow);
      await subscribe(bobRealtime, 'bob-watch', bob);

      const message = `narrow-${randomUUID()}`;
      const published = await publish({ fileId: aliceFileId, owner: aliceSub, status: 'READY', step: 'NOTIFY', message });
      expect(published).toMatchObject({ fileId: aliceFileId, owner: aliceSub, status: 'READY', step: 'NOTIFY', message });
      expect(published.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

      await receive(aliceRealtime, 'alice-narrow', message);
      expect(aliceRealtime.data('alice-narrow')).toEqual([{ onFileEvent: { fileId: aliceFileId, status: 'READY', message } }]);

      const control = `bob-control-${randomUUID()}`;
      await publish({ fileId: bobFileId, owner: bobSub, status: 'READY', step: 'NOTIFY', message: control });
      await receive(bobRealtime, 'bob-watch', control);
      expect(events(bobRealtime, 'bob-watch').map((e) => e.message)).toEqual([control]);

      aliceRealtime.stop('alice-narrow');
      bobRealtime.stop('bob-watch');
    });

    it('given a subscriber selecting a field the publish did not select, when the backend publishes, then that field arrives as null', async () => {
      await subscribe(aliceRealtime, 'alice-wide', alice, { fileId: aliceFileId });
      const message = `partial-${randomUUID()}`;
      const partialSelection = `mutation Publish($input: PublishFileEventInput!) {
        publishFileEvent(input: $input) { fileId owner status step at }
      }`;
      await publish({ fileId: aliceFileId, owner: aliceSub, status: 'PROCESSING', step: 'THUMBNAIL', message }, partialSelection);
      const received = await aliceRealtime.until(
        () => events(aliceRealtime, 'alice-wide').find((e) => e.step === 'THUMBNAIL'),
        15_000,
        'the THUMBNAIL event',
      );
      expect(received).toMatchObject({ fileId: aliceFileId, owner: aliceSub, status: 'PROCESSING', message: null });
      aliceRealtime.stop('alice-wide');
    });

    it('given the API key, when it subscribes to onFileEvent, then that subscription is refused with an error for its id and the connection keeps serving others', async () => {
      const refused = await aliceRealtime.start('api-key-sub', OnFileEventDocument, {}, apiKey);
      expect(refused.type).toBe('error');
      expect(refused.id).toBe('api-key-sub');
      // What AppSync sends for a field-level denial of a subscription (as aws-amplify logs it).
      const { errors } = refused.payload as { errors: unknown[] };
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        errorType: 'Unauthorized',
        message: 'Not Authorized to access onFileEvent on type Subscription',
      });

      await subscribe(aliceRealtime, 'after-refusal', alice);
      const message = `after-refusal-${randomUUID()}`;
      await publish({ fileId: aliceFileId, owner: aliceSub, status: 'PROCESSING', step: 'PROCESS', message });
      await receive(aliceRealtime, 'after-refusal', message);
      expect(aliceRealtime.messages.filter((m) => m.id === 'api-key-sub').map((m) => m.type)).toEqual(['error']);
      aliceRealtime.stop('after-refusal');
    });
  });

  describe('publishing events', () => {
    it.each([
      ['a user-pool caller (the owner herself)', () => alice],
      ['an API-key caller', () => apiKey],
    ])('given %s, when it calls publishFileEvent, then it gets Unauthorized with data null and no subscriber receives the event', async (_who, credentials) => {
      const guard = `alice-guard-${randomUUID()}`;
      await subscribe(aliceRealtime, guard, alice);
      const forged = `forged-${randomUUID()}`;
      const response = await graphql(target().graphqlUrl, credentials(), PublishFileEventDocument, {
        input: { fileId: aliceFileId, owner: aliceSub, status: 'FAILED', step: 'NOTIFY', message: forged },
      });
      expectUnauthorized(response, 'Mutation', 'publishFileEvent');

      const marker = `marker-${randomUUID()}`;
      await publish({ fileId: aliceFileId, owner: aliceSub, status: 'PROCESSING', step: 'PROCESS', message: marker });
      await receive(aliceRealtime, guard, marker);
      expect(events(aliceRealtime, guard).map((e) => e.message)).toEqual([marker]);
      expect(JSON.stringify(aliceRealtime.messages)).not.toContain(forged);
      aliceRealtime.stop(guard);
    });
  });

  describe('order events', () => {
    const orderEvents = (client: RealtimeClient, id: string): OrderEvent[] =>
      client.data(id).map((d) => d['onOrderEvent'] as OrderEvent);

    /** Waits until the subscription `id` has received an order event matching `match`. */
    const receiveOrder = (client: RealtimeClient, id: string, match: (e: OrderEvent) => boolean, what: string, timeoutMs = 15_000) =>
      client.until(() => orderEvents(client, id).find(match), timeoutMs, `${what} on ${id}`);

    /** Publishes as the orders backend does (IAM); fails the test if the publish itself fails. */
    const publishOrder = async (input: PublishOrderEventInput): Promise<OrderEvent> => {
      const response = await graphql(target().graphqlUrl, iam, PublishOrderEventDocument, { input });
      expect(response.errors).toBeUndefined();
      expect(response.data?.publishOrderEvent).toBeTruthy();
      return response.data!.publishOrderEvent;
    };

    /** Alice places a one-line order paid with an approving card; returns its id. */
    const aliceOrders = async (clientToken: string): Promise<string> => {
      const response = await graphql(
        target().graphqlUrl,
        alice,
        PlaceOrderDocument,
        { input: { items: [{ sku: 'STICKER-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken } },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.placeOrder).toMatchObject({ owner: aliceSub, status: 'PENDING' });
      return response.data!.placeOrder.id;
    };

    const steps = (events: OrderEvent[]) => events.map((e) => [e.status, e.step]);

    it(
      "given bob subscribed to alice's order id and to all his order events, and alice to one of her orders, when alice places two orders, then bob receives nothing of hers and alice's per-order subscription carries that order's events only",
      async () => {
        // The order id derives from owner and client token (docs/orders.md), so every
        // subscription can be in place before the saga announces its first step.
        const tokenA = `authz-a-${randomUUID()}`;
        const tokenB = `authz-b-${randomUUID()}`;
        const orderA = orderIdFor(aliceSub, tokenA);
        const orderB = orderIdFor(aliceSub, tokenB);

        await subscribe(bobRealtime, 'bob-on-alice-order', bob, { orderId: orderA }, OnOrderEventDocument);
        await subscribe(bobRealtime, 'bob-all-orders', bob, {}, OnOrderEventDocument);
        await subscribe(aliceRealtime, 'alice-on-order-a', alice, { orderId: orderA }, OnOrderEventDocument);
        await subscribe(aliceRealtime, 'alice-all-orders', alice, {}, OnOrderEventDocument);

        const placedIds = await Promise.all([aliceOrders(tokenA), aliceOrders(tokenB)]);
        expect(placedIds).toEqual([orderA, orderB]);
        for (const orderId of [orderA, orderB]) {
          await receiveOrder(aliceRealtime, 'alice-all-orders', (e) => e.orderId === orderId && e.step === 'NOTIFY', `the end of order ${orderId}`, 60_000);
        }

        // Alice's subscription to all her orders saw both sagas through.
        const aliceAll = orderEvents(aliceRealtime, 'alice-all-orders');
        expect(steps(aliceAll.filter((e) => e.orderId === orderA))).toEqual(CONFIRMED_PATH);
        expect(steps(aliceAll.filter((e) => e.orderId === orderB))).toEqual(CONFIRMED_PATH);
        expect(aliceAll.every((e) => e.owner === aliceSub)).toBe(true);

        // Later events each subscription SHOULD get: once they have arrived, any earlier event
        // that was (wrongly) delivered to it would have arrived too.
        const forAliceOnA = `alice-a-later-${randomUUID()}`;
        await publishOrder({ orderId: orderA, owner: aliceSub, status: 'CONFIRMED', step: 'NOTIFY', message: forAliceOnA });
        await receiveOrder(aliceRealtime, 'alice-on-order-a', (e) => e.message === forAliceOnA, `event "${forAliceOnA}"`);
        // The owner filter is on the event's `owner`: an event about alice's order id addressed to bob.
        const forBob = `bob-addressed-${randomUUID()}`;
        await publishOrder({ orderId: orderA, owner: bobSub, status: 'PENDING', step: 'PLACE', message: forBob });
        await receiveOrder(bobRealtime, 'bob-on-alice-order', (e) => e.message === forBob, `event "${forBob}"`);
        await receiveOrder(bobRealtime, 'bob-all-orders', (e) => e.message === forBob, `event "${forBob}"`);

        // Alice, subscribed with order A: exactly A's events, none of B's.
        const aliceOnA = orderEvents(aliceRealtime, 'alice-on-order-a');
        expect(aliceOnA.every((e) => e.orderId === orderA)).toBe(true);
        expect(aliceOnA.slice(0, -1)).toEqual(aliceAll.filter((e) => e.orderId === orderA));
        expect(aliceOnA.at(-1)).toMatchObject({ orderId: orderA, owner: aliceSub, message: forAliceOnA });
        // Bob: only the event addressed to him, on both subscriptions.
        expect(orderEvents(bobRealtime, 'bob-on-alice-order').map((e) => e.message)).toEqual([forBob]);
        expect(orderEvents(bobRealtime, 'bob-all-orders').map((e) => e.message)).toEqual([forBob]);
        expect(JSON.stringify(bobRealtime.messages)).not.toContain(aliceSub);
        expect(JSON.stringify(bobRealtime.messages)).not.toContain(orderB);

        for (const id of ['bob-on-alice-order', 'bob-all-orders']) bobRealtime.stop(id);
        for (const id of ['alice-on-order-a', 'alice-all-orders']) aliceRealtime.stop(id);
      },
      120_000,
    );

    it.each([
      ['a user-pool caller (the owner herself)', () => alice],
      ['an API-key caller', () => apiKey],
    ])('given %s, when it calls publishOrderEvent, then it gets Unauthorized with data null and no subscriber receives the event', async (_who, credentials) => {
      const orderId = randomUUID();
      const guard = `alice-order-guard-${randomUUID()}`;
      const guardById = `alice-order-guard-by-id-${randomUUID()}`;
      await subscribe(aliceRealtime, guard, alice, {}, OnOrderEventDocument);
      await subscribe(aliceRealtime, guardById, alice, { orderId }, OnOrderEventDocument);

      const forged = `forged-${randomUUID()}`;
      const response = await graphql(target().graphqlUrl, credentials(), PublishOrderEventDocument, {
        input: { orderId, owner: aliceSub, status: 'CONFIRMED', step: 'NOTIFY', message: forged },
      });
      expectUnauthorized(response, 'Mutation', 'publishOrderEvent');

      const marker = `order-marker-${randomUUID()}`;
      await publishOrder({ orderId, owner: aliceSub, status: 'PENDING', step: 'PLACE', message: marker });
      await receiveOrder(aliceRealtime, guard, (e) => e.message === marker, `event "${marker}"`);
      await receiveOrder(aliceRealtime, guardById, (e) => e.message === marker, `event "${marker}"`);
      expect(orderEvents(aliceRealtime, guard).map((e) => e.message)).toEqual([marker]);
      expect(orderEvents(aliceRealtime, guardById).map((e) => e.message)).toEqual([marker]);
      expect(JSON.stringify(aliceRealtime.messages)).not.toContain(forged);
      aliceRealtime.stop(guard);
      aliceRealtime.stop(guardById);
    });

    it("given the backend's IAM credentials, when it publishes an event of alice's order, then the call succeeds and alice's subscription to that order receives exactly that event, while bob receives nothing", async () => {
      const orderId = randomUUID();
      await subscribe(aliceRealtime, 'alice-iam-order', alice, { orderId }, OnOrderEventDocument);
      await subscribe(bobRealtime, 'bob-iam-watch', bob, {}, OnOrderEventDocument);

      const message = `iam-${randomUUID()}`;
      const published = await publishOrder({ orderId, owner: aliceSub, status: 'PAID', step: 'PAYMENT', message });
      expect(published).toMatchObject({ orderId, owner: aliceSub, status: 'PAID', step: 'PAYMENT', message });
      expect(published.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

      await receiveOrder(aliceRealtime, 'alice-iam-order', (e) => e.message === message, `event "${message}"`);
      expect(orderEvents(aliceRealtime, 'alice-iam-order')).toEqual([published]);

      const control = `bob-order-control-${randomUUID()}`;
      await publishOrder({ orderId: randomUUID(), owner: bobSub, status: 'PENDING', step: 'PLACE', message: control });
      await receiveOrder(bobRealtime, 'bob-iam-watch', (e) => e.message === control, `event "${control}"`);
      expect(orderEvents(bobRealtime, 'bob-iam-watch').map((e) => e.message)).toEqual([control]);

      aliceRealtime.stop('alice-iam-order');
      bobRealtime.stop('bob-iam-watch');
    });
  });

  describe('request-level authentication', () => {
    const post = (headers: Record<string, string>) =>
      fetch(target().graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ uploadPolicy { maxBytes } }' }),
      });

    it.each([
      ['no credentials', async () => ({})],
      ['a token that is not a JWT', async () => ({ authorization: 'not-a-token' })],
      ['a JWT whose claims were changed after signing', async () => ({
        authorization: withForgedClaims(await tokenFor('authz-bob'), { sub: aliceSub, 'cognito:username': 'authz-alice' }),
      })],
      ['an expired JWT', async () => ({ authorization: await expiredTokenFor('authz-alice') })],
      ['a wrong API key', async () => ({ 'x-api-key': 'da2-thisisnotthekeyofthisapi0000' })],
    ])('given %s, when a request is sent, then it gets HTTP 401 UnauthorizedException', async (_what, headers) => {
      const response = await post(await headers());
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(NO_AUTH_BODY);
    });
  });

  describe('the API key', () => {
    it('given the API key, when it reads uploadPolicy, then it gets the policy', async () => {
      const response = await graphql<{ uploadPolicy: { contentTypes: string[]; maxBytes: number; ticketTtlSeconds: number } }>(
        target().graphqlUrl,
        apiKey,
        '{ uploadPolicy { contentTypes maxBytes ticketTtlSeconds } }',
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.uploadPolicy.contentTypes).toContain('image/jpeg');
      expect(response.data!.uploadPolicy.maxBytes).toBeGreaterThan(0);
      expect(response.data!.uploadPolicy.ticketTtlSeconds).toBeGreaterThan(0);
    });

    it('given the API key, when it lists files, then it gets Unauthorized on files and no data', async () => {
      const response = await graphql(target().graphqlUrl, apiKey, FilesDocument, { limit: 10 });
      expectUnauthorized(response, 'Query', 'files');
    });
  });
});
