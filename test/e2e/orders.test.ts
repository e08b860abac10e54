import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelOrderDocument,
  OnOrderEventDocument,
  OrderDocument,
  OrdersDocument,
  PlaceOrderDocument,
  ProductsDocument,
  type OrderFieldsFragment,
  type PlaceOrderInput,
} from '../../client/generated/operations.js';
import type { LocalStack } from '../../local/stack.js';
import { type Credentials, type GraphQLResponse, graphql } from '../support/graphql-client.js';
import { subOf } from '../support/identity.js';
import type { OrderEvent } from '../support/orders.js';
import { RealtimeClient } from '../support/realtime-client.js';
import { startTestStack } from '../support/test-stack.js';

/**
 * Orders end to end: the saga runs on the local Step Functions from the synthesized state
 * machine, each step a local function; the customer follows it through `onOrderEvent`.
 *
 * This file starts its own stack so that Step Functions' retries wait 25 ms instead of the
 * definition's seconds (`stepFunctionsRetryIntervalMs`); everything else is as `npm start` runs.
 * That stack (and its two subscribed users) is why the file is one, over 400 lines: a second
 * file would start a second stack, tens of seconds on a loaded machine, for the same saga.
 */

type Order = OrderFieldsFragment;

/** The steps after which an order's saga has nothing more to do. */
const LAST_STEPS = ['NOTIFY', 'ESCALATE'];

let clientTokens = 0;
const newClientToken = (label: string) => `${label}-${Date.now().toString(36)}-${(clientTokens += 1)}`;

describe('orders through the API and subscriptions', () => {
  let stack: LocalStack;
  let alice: Credentials;
  let bob: Credentials;
  let aliceRealtime: RealtimeClient;
  let bobRealtime: RealtimeClient;
  let sfn: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    stack = await startTestStack({ stepFunctionsRetryIntervalMs: 25 });
    alice = { kind: 'userPool', token: (await stack.issueTokens('alice')).idToken };
    bob = { kind: 'userPool', token: (await stack.issueTokens('bob')).idToken };
    const connect = (credentials: Credentials) =>
      RealtimeClient.connect({ realtimeUrl: stack.realtimeUrl, graphqlUrl: stack.graphqlUrl, credentials, caPath: stack.caPath });
    [aliceRealtime, bobRealtime] = await Promise.all([connect(alice), connect(bob)]);
    // Every event of each user's own orders, from before the first order on.
    expect((await aliceRealtime.start('alice-orders', OnOrderEventDocument, {}, alice)).type).toBe('start_ack');
    expect((await bobRealtime.start('bob-orders', OnOrderEventDocument, {}, bob)).type).toBe('start_ack');

    sfn = new SFNClient({ endpoint: stack.stepFunctionsEndpoint, region: stack.region, credentials: stack.developerCredentials });
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    const machine = stateMachines.find((m) => m.name?.startsWith('OrdersWorkflowStateMachine'));
    if (!machine?.stateMachineArn) throw new Error('the order state machine is not running locally');
    stateMachineArn = machine.stateMachineArn;
  }, 240_000);

  afterAll(async () => {
    aliceRealtime?.close();
    bobRealtime?.close();
    sfn?.destroy();
    await stack?.stop();
  });

  // ---- given / when / then helpers ------------------------------------------------------------

  const placeOrder = (credentials: Credentials, input: PlaceOrderInput) =>
    graphql(stack.graphqlUrl, credentials, PlaceOrderDocument, { input });

  const placed = async (input: PlaceOrderInput, credentials: Credentials = alice): Promise<Order> => {
    const response = await placeOrder(credentials, input);
    expect(response.errors).toBeUndefined();
    return response.data!.placeOrder;
  };

  const order = async (id: string, credentials: Credentials = alice): Promise<Order | null> => {
    const response = await graphql(stack.graphqlUrl, credentials, OrderDocument, { id });
    expect(response.errors).toBeUndefined();
    return response.data!.order;
  };

  const allOrders = async (credentials: Credentials = alice): Promise<Order[]> => {
    const all: Order[] = [];
    let nextToken: string | null = null;
    do {
      const response: GraphQLResponse<{ orders: { items: Order[]; nextToken: string | null } }> = await graphql(
        stack.graphqlUrl,
        credentials,
        OrdersDocument,
        { limit: 100, nextToken },
      );
      expect(response.errors).toBeUndefined();
      all.push(...response.data!.orders.items);
      nextToken = response.data!.orders.nextToken;
    } while (nextToken !== null);
    return all;
  };

  const stocks = async (): Promise<Map<string, number>> => {
    const response = await graphql(
      stack.graphqlUrl,
      { kind: 'apiKey', apiKey: stack.apiKey ?? '' },
      ProductsDocument,
      { limit: 100 },
    );
    expect(response.errors).toBeUndefined();
    return new Map(response.data!.products.items.map((p) => [p.sku, p.stock]));
  };

  const stockOf = async (sku: string): Promise<number> => {
    const stock = (await stocks()).get(sku);
    if (stock === undefined) throw new Error(`no product ${sku} in the catalog`);
    return stock;
  };

  const eventsOf = (orderId: string, client: RealtimeClient = aliceRealtime, id = 'alice-orders'): OrderEvent[] =>
    client
      .data(id)
      .map((d) => d['onOrderEvent'] as OrderEvent)
      .filter((e) => e.orderId === orderId);

  const executionsOf = async (orderId: string) => {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    return executions.filter((e) => e.name === orderId);
  };

  /**
   * Waits for the saga's last event and for its execution to close, then returns every event
   * of the order and the order itself.
   */
  const settled = async (orderId: string): Promise<{ events: OrderEvent[]; order: Order }> => {
    await aliceRealtime.until(
      () => (eventsOf(orderId).some((e) => LAST_STEPS.includes(e.step)) ? true : undefined),
      45_000,
      `the end of order ${orderId}`,
    );
    await expect.poll(async () => (await executionsOf(orderId))[0]?.status, { timeout: 15_000, interval: 100 }).not.toBe('RUNNING');
    const final = await order(orderId);
    return { events: eventsOf(orderId), order: final! };
  };

  const historyOf = async (orderId: string): Promise<HistoryEvent[]> => {
    const [execution] = await executionsOf(orderId);
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution!.executionArn, maxResults: 1000 }));
    return events;
  };

  /** Each attempt of a state, in order: which task events it had (TaskSucceeded / TaskFailed:<error>). */
  const attemptsOf = (history: HistoryEvent[], state: string): string[] => {
    const attempts: string[] = [];
    let current: string | undefined;
    for (const event of history) {
      if (event.type === 'TaskStateEntered') current = event.stateEnteredEventDetails?.name;
      if (current !== state) continue;
      if (event.type === 'TaskSucceeded') attempts.push('TaskSucceeded');
      if (event.type === 'TaskFailed') attempts.push(`TaskFailed:${event.taskFailedEventDetails?.error}`);
    }
    return attempts;
  };

  const kinds = (o: Order) => o.payment.transactions.map((t) => t.type);

  // ---- the saga -------------------------------------------------------------------------------

  it('given stock, when alice places an order, then she sees VALIDATED, PAID, RESERVED, CONFIRMED in order, is notified once, and the stock drops by the quantities', async () => {
    const before = await stocks();

    const created = await placed({
      items: [
        { sku: 'MUG-01', quantity: 2 },
        { sku: 'TEE-01', quantity: 1 },
      ],
      paymentToken: 'tok_approve',
      clientToken: newClientToken('happy'),
    });
    expect(created).toMatchObject({ status: 'PENDING', totalCents: 2 * 1250 + 2400, currency: 'USD' });
    const { events, order: final } = await settled(created.id);

    expect(events.map((e) => [e.status, e.step])).toEqual([
      ['VALIDATED', 'VALIDATE'],
      ['PAID', 'PAYMENT'],
      ['RESERVED', 'INVENTORY'],
      ['CONFIRMED', 'CONFIRM'],
      ['CONFIRMED', 'NOTIFY'],
    ]);
    expect(events.every((e) => e.owner === subOf((alice as { token: string }).token))).toBe(true);
    expect(final).toMatchObject({ status: 'CONFIRMED', failure: null, payment: { status: 'CHARGED' } });
    expect(final.notifiedAt).not.toBeNull();
    expect(kinds(final)).toEqual(['CHARGE']);
    expect(final.payment.transactions[0]?.amountCents).toBe(final.totalCents);
    const after = await stocks();
    expect(after.get('MUG-01')).toBe(before.get('MUG-01')! - 2);
    expect(after.get('TEE-01')).toBe(before.get('TEE-01')! - 1);
    // Bob's subscription to all his orders never carries alice's.
    expect(eventsOf(created.id, bobRealtime, 'bob-orders')).toEqual([]);
    const [execution, ...more] = await executionsOf(created.id);
    expect(more).toEqual([]);
    expect(execution?.status).toBe('SUCCEEDED');
  });

  it('given a declining card, when alice orders, then no stock is touched and the order ends FAILED with the decline reason, notified once', async () => {
    const before = await stockOf('CAP-01');

    const created = await placed({ items: [{ sku: 'CAP-01', quantity: 3 }], paymentToken: 'tok_decline', clientToken: newClientToken('decline') });
    const { events, order: final } = await settled(created.id);

    expect(final.status).toBe('FAILED');
    expect(final.failure).toEqual({ code: 'PAYMENT_DECLINED', message: 'card_declined: insufficient funds', step: 'PAYMENT' });
    expect(final.payment).toMatchObject({ status: 'DECLINED', declineReason: 'card_declined: insufficient funds', transactions: [] });
    expect(events.map((e) => e.status)).not.toContain('PAID');
    expect(events.filter((e) => e.step === 'NOTIFY')).toHaveLength(1);
    expect(events.find((e) => e.step === 'NOTIFY')?.message).toContain('card_declined: insufficient funds');
    expect(await stockOf('CAP-01')).toBe(before);
  });

  it('given a line that is out of stock, when alice orders it with one that is not, then payment is taken, refunded exactly once, no stock moves and the order is FAILED', async () => {
    const before = await stocks();
    const available = before.get('CLOCK-01')!;

    const created = await placed({
      items: [
        { sku: 'NOTE-01', quantity: 1 },
        { sku: 'CLOCK-01', quantity: available + 1 },
      ],
      paymentToken: 'tok_approve',
      clientToken: newClientToken('oos'),
    });
    const { events, order: final } = await settled(created.id);

    expect(events.map((e) => [e.status, e.step])).toEqual([
      ['VALIDATED', 'VALIDATE'],
      ['PAID', 'PAYMENT'],
      ['PAID', 'REFUND_PAYMENT'],
      ['FAILED', 'MARK_FAILED'],
      ['FAILED', 'NOTIFY'],
    ]);
    expect(final.failure).toMatchObject({ code: 'OUT_OF_STOCK', step: 'INVENTORY' });
    expect(final.failure?.message).toContain(`CLOCK-01 (${available + 1} requested, ${available} available)`);
    expect(kinds(final)).toEqual(['CHARGE', 'REFUND']);
    expect(final.payment.status).toBe('REFUNDED');
    const after = await stocks();
    expect(after.get('NOTE-01')).toBe(before.get('NOTE-01'));
    expect(after.get('CLOCK-01')).toBe(available);
  });

  it('given a refund that fails once, when the order is compensated, then the refund is retried and made exactly once', async () => {
    const available = await stockOf('CLOCK-01');

    const created = await placed({
      items: [{ sku: 'CLOCK-01', quantity: available + 1 }],
      paymentToken: 'tok_refund_fail_once',
      clientToken: newClientToken('refund-once'),
    });
    const { events, order: final } = await settled(created.id);

    expect(final.status).toBe('FAILED');
    expect(kinds(final)).toEqual(['CHARGE', 'REFUND']);
    expect(events.filter((e) => e.step === 'REFUND_PAYMENT')).toHaveLength(1);
    expect(attemptsOf(await historyOf(created.id), 'RefundPayment')).toEqual(['TaskFailed:PaymentProviderUnavailable', 'TaskSucceeded']);
    expect(await stockOf('CLOCK-01')).toBe(available);
  });

  it('given a refund that keeps failing, when the order is compensated, then it ends NEEDS_ATTENTION, the owner hears of it and the execution fails (the alarm)', async () => {
    const available = await stockOf('CLOCK-01');

    const created = await placed({
      items: [{ sku: 'CLOCK-01', quantity: available + 1 }],
      paymentToken: 'tok_refund_always_fail',
      clientToken: newClientToken('refund-never'),
    });
    const { events, order: final } = await settled(created.id);

    expect(events.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', step: 'ESCALATE' });
    expect(final.status).toBe('NEEDS_ATTENTION');
    expect(final.failure).toMatchObject({ code: 'COMPENSATION_FAILED', step: 'REFUND_PAYMENT' });
    expect(kinds(final)).toEqual(['CHARGE']);
    const attempts = attemptsOf(await historyOf(created.id), 'RefundPayment');
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts)).toEqual(new Set(['TaskFailed:PaymentProviderUnavailable']));
    expect((await executionsOf(created.id))[0]?.status).toBe('FAILED');
  });

  it('given a payment provider that fails once, when alice orders, then the charge is retried and the order confirmed with one charge', async () => {
    const created = await placed({ items: [{ sku: 'PEN-01', quantity: 1 }], paymentToken: 'tok_fail_once', clientToken: newClientToken('pay-once') });
    const { order: final } = await settled(created.id);

    expect(final.status).toBe('CONFIRMED');
    expect(kinds(final)).toEqual(['CHARGE']);
    expect(attemptsOf(await historyOf(created.id), 'ProcessPayment')).toEqual(['TaskFailed:PaymentProviderUnavailable', 'TaskSucceeded']);
  });

  it('given a payment provider that is down, when alice orders, then the order ends FAILED after the retries and nothing is charged', async () => {
    const created = await placed({ items: [{ sku: 'PEN-01', quantity: 1 }], paymentToken: 'tok_always_fail', clientToken: newClientToken('pay-never') });
    const { order: final } = await settled(created.id);

    expect(final.status).toBe('FAILED');
    expect(final.failure).toMatchObject({ code: 'PAYMENT_FAILED', step: 'PAYMENT' });
    expect(kinds(final)).toEqual([]);
    expect(attemptsOf(await historyOf(created.id), 'ProcessPayment')).toEqual(Array(4).fill('TaskFailed:PaymentProviderUnavailable'));
  });

  // ---- idempotency and races ------------------------------------------------------------------

  it('given one clientToken, when placeOrder is sent twice in a row and twice at once, then there is one order, one execution and one charge', async () => {
    const clientToken = newClientToken('same');
    const input = { items: [{ sku: 'STICKER-01', quantity: 4 }], paymentToken: 'tok_approve', clientToken };

    const [first, second] = await Promise.all([placeOrder(alice, input), placeOrder(alice, input)]);
    const third = await placeOrder(alice, { ...input, items: [...input.items].reverse() });

    for (const response of [first, second, third]) expect(response.errors).toBeUndefined();
    const id = first.data!.placeOrder.id;
    expect(second.data!.placeOrder.id).toBe(id);
    expect(third.data!.placeOrder.id).toBe(id);
    const { order: final } = await settled(id);
    expect(final.status).toBe('CONFIRMED');
    expect(kinds(final)).toEqual(['CHARGE']);
    expect((await allOrders()).filter((o) => o.clientToken === clientToken)).toHaveLength(1);
    expect(await executionsOf(id)).toHaveLength(1);

    const afterwards = await placeOrder(alice, input);
    expect(afterwards.data?.placeOrder.id).toBe(id);
    expect(await executionsOf(id)).toHaveLength(1);
  });

  it('given a clientToken already used, when it comes with other lines, then placeOrder refuses it and starts nothing', async () => {
    const clientToken = newClientToken('reused');
    const first = await placed({ items: [{ sku: 'STICKER-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken });
    await settled(first.id);

    const other = await placeOrder(alice, { items: [{ sku: 'STICKER-01', quantity: 2 }], paymentToken: 'tok_approve', clientToken });

    expect(other.data).toBeNull();
    expect(other.errors?.[0]?.errorType).toBe('ClientTokenConflict');
    expect(await executionsOf(first.id)).toHaveLength(1);
  });

  it('given one unit left, when two orders race for it, then exactly one gets it and the other is refunded', async () => {
    const initial = await stockOf('LAMP-01');
    if (initial > 1) {
      const drain = await placed({ items: [{ sku: 'LAMP-01', quantity: initial - 1 }], paymentToken: 'tok_approve', clientToken: newClientToken('drain') });
      expect((await settled(drain.id)).order.status).toBe('CONFIRMED');
    }
    expect(await stockOf('LAMP-01')).toBe(1);

    const [a, b] = await Promise.all(
      ['race-a', 'race-b'].map((label) =>
        placed({ items: [{ sku: 'LAMP-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken: newClientToken(label) }),
      ),
    );
    const outcomes = await Promise.all([settled(a!.id), settled(b!.id)]);

    const statuses = outcomes.map((o) => o.order.status).sort();
    expect(statuses).toEqual(['CONFIRMED', 'FAILED']);
    const loser = outcomes.find((o) => o.order.status === 'FAILED')!.order;
    expect(loser.failure?.code).toBe('OUT_OF_STOCK');
    expect(kinds(loser)).toEqual(['CHARGE', 'REFUND']);
    expect(await stockOf('LAMP-01')).toBe(0);
  });

  // ---- cancellation ---------------------------------------------------------------------------

  it('given an order whose payment is in flight, when alice cancels it, then it ends CANCELLED with whatever was charged refunded and no stock taken', async () => {
    const before = await stockOf('POSTER-01');
    const created = await placed({ items: [{ sku: 'POSTER-01', quantity: 1 }], paymentToken: 'tok_slow', clientToken: newClientToken('cancel') });
    await aliceRealtime.until(() => eventsOf(created.id).find((e) => e.status === 'VALIDATED'), 30_000, 'VALIDATED');

    const cancelled = await graphql(stack.graphqlUrl, alice, CancelOrderDocument, { id: created.id });

    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
    const { events, order: final } = await settled(created.id);
    expect(final.status).toBe('CANCELLED');
    expect(events.map((e) => e.step)).toContain('CANCEL');
    // Whether the charge went through before the cancellation or not, nothing stays charged.
    const charges = kinds(final).filter((k) => k === 'CHARGE').length;
    const refunds = kinds(final).filter((k) => k === 'REFUND').length;
    expect(charges).toBe(refunds);
    expect(await stockOf('POSTER-01')).toBe(before);

    const again = await graphql(stack.graphqlUrl, alice, CancelOrderDocument, { id: created.id });
    expect(again.data?.cancelOrder.status).toBe('CANCELLED');
  });

  it('given a confirmed order, when alice cancels it, then she is told it can no longer be cancelled', async () => {
    const created = await placed({ items: [{ sku: 'BAG-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken: newClientToken('late-cancel') });
    expect((await settled(created.id)).order.status).toBe('CONFIRMED');

    const response = await graphql(stack.graphqlUrl, alice, CancelOrderDocument, { id: created.id });

    expect(response.data).toBeNull();
    expect(response.errors?.[0]).toMatchObject({ errorType: 'OrderNotCancellable', message: 'The order is CONFIRMED and can no longer be cancelled' });
    expect((await order(created.id))?.status).toBe('CONFIRMED');
  });

  // ---- bad input --------------------------------------------------------------------------------

  describe('given bad input', () => {
    const cases: [string, Pick<PlaceOrderInput, 'items'>, RegExp][] = [
      ['an unknown sku', { items: [{ sku: 'NOPE-404', quantity: 1 }] }, /unknown sku NOPE-404/],
      ['quantity 0', { items: [{ sku: 'MUG-01', quantity: 0 }] }, /items\[0\]\.quantity must be an integer from 1 to 100, got 0/],
      ['a negative quantity', { items: [{ sku: 'MUG-01', quantity: -3 }] }, /items\[0\]\.quantity must be an integer from 1 to 100, got -3/],
      [
        '1,000 lines',
        { items: Array.from({ length: 1000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })) },
        /items must list at most 50 lines, got 1000/,
      ],
      ['an empty order', { items: [] }, /items must list at least one line/],
    ];

    it.each(cases)('when placeOrder gets %s, then it answers a ValidationError saying what is wrong and starts nothing', async (_label, input, message) => {
      const ordersBefore = (await allOrders()).length;
      const { executions: before = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));

      const response = await placeOrder(alice, { paymentToken: 'tok_approve', clientToken: newClientToken('bad'), ...input });

      expect(response.data).toBeNull();
      expect(response.errors?.[0]?.errorType).toBe('ValidationError');
      expect(response.errors?.[0]?.message).toMatch(message);
      expect((await allOrders()).length).toBe(ordersBefore);
      const { executions: after = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
      expect(after.length).toBe(before.length);
    });

    it("when bob cancels alice's order, then he gets NotFoundError and her order goes on untouched", async () => {
      const created = await placed({ items: [{ sku: 'MUG-01', quantity: 1 }], paymentToken: 'tok_approve', clientToken: newClientToken('not-bobs') });

      const response = await graphql(stack.graphqlUrl, bob, CancelOrderDocument, { id: created.id });

      expect(response.data).toBeNull();
      expect(response.errors?.[0]).toMatchObject({ errorType: 'NotFoundError', message: 'Order not found' });
      expect((await settled(created.id)).order.status).toBe('CONFIRMED');
      expect(await order(created.id, bob)).toBeNull();
      expect(eventsOf(created.id, bobRealtime, 'bob-orders')).toEqual([]);
    });
  });
});
