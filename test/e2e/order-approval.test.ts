import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, type HistoryEvent, ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApproveOrderDocument,
  OnOrderEventDocument,
  OrderDocument,
  PendingApprovalsDocument,
  PlaceOrderDocument,
  RejectOrderDocument,
  type OrderFieldsFragment,
} from '../../client/generated/operations.js';
import type { LocalStackOptions } from '../../local/stack.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import type { OrderEvent } from '../support/orders.js';
import { RealtimeClient } from '../support/realtime-client.js';
import { onStateDir, startTestStack } from '../support/test-stack.js';

/**
 * Orders that wait for a person, and what runs after confirmation, end to end on the local
 * stack: the state machine's `.waitForTaskToken` approval answered through `approveOrder` /
 * `rejectOrder` (Cognito group `approvers`), the Parallel state's RecordSale with its retries,
 * and an execution that waits across a stop and a start of the stack on the same state folder.
 *
 * The stack is started with a low approval threshold and short waits (CDK context), and with
 * faults for RecordSale (local/faults/, applied by the worker hosting it) keyed on the order's clientToken.
 */

type Order = OrderFieldsFragment;

/** 20 mugs (12.50 each) reach the test threshold of 250.00; 2 do not. */
const THRESHOLD_CENTS = 25_000;
const OVER = [{ sku: 'MUG-01', quantity: 20 }];

let counter = 0;
const clientToken = (label: string) => `${label}-${Date.now().toString(36)}-${(counter += 1)}`;

function stackOptions(stateDir: string | null, waits = { approvalTimeoutSeconds: 14, approvalHeartbeatSeconds: 9 }): Partial<LocalStackOptions> {
  return {
    stepFunctionsPort: 0,
    ...(stateDir === null ? {} : onStateDir(stateDir)),
    stepFunctionsRetryIntervalMs: 25,
    cdkContext: { approvalThresholdCents: THRESHOLD_CENTS, ...waits },
    faults: {
      rules: [
        { kind: 'step-error', step: 'RECORD_SALE', fileNamePrefix: 'sale-fails-twice-', onReceiveCounts: [1, 2] },
        { kind: 'step-error', step: 'RECORD_SALE', fileNamePrefix: 'sale-always-fails-' },
      ],
    },
  };
}

/** A running stack with alice (customer) and bob (approver) signed in and subscribed. */
async function session(stateDir: string | null) {
  // Across a restart, the waits count on (a stop does not lengthen them): long enough for a slow machine.
  const stack = await startTestStack(stateDir === null ? stackOptions(null) : stackOptions(stateDir, { approvalTimeoutSeconds: 900, approvalHeartbeatSeconds: 600 }));
  const alice: Credentials = { kind: 'userPool', token: (await stack.issueTokens('alice')).idToken };
  const bob: Credentials = { kind: 'userPool', token: (await stack.issueTokens('bob', ['approvers'])).idToken };
  const realtime = await RealtimeClient.connect({ realtimeUrl: stack.realtimeUrl, graphqlUrl: stack.graphqlUrl, credentials: alice, caPath: stack.caPath });
  expect((await realtime.start('orders', OnOrderEventDocument, {}, alice)).type).toBe('start_ack');
  const sfn = new SFNClient({ endpoint: stack.stepFunctionsEndpoint, region: stack.region, credentials: stack.developerCredentials });
  const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
  const stateMachineArn = stateMachines.find((m) => m.name?.startsWith('OrdersWorkflowStateMachine'))!.stateMachineArn!;

  const call = <R, V>(credentials: Credentials, document: TypedDocumentNode<R, V>, variables: V) => graphql(stack.graphqlUrl, credentials, document, variables);
  const events = (orderId: string): OrderEvent[] =>
    realtime
      .data('orders')
      .map((d) => d['onOrderEvent'] as OrderEvent)
      .filter((e) => e.orderId === orderId);
  const statuses = (orderId: string) => events(orderId).map((e) => e.status);
  const until = (orderId: string, status: string, step?: string) =>
    realtime.until(() => (events(orderId).some((e) => e.status === status && (step === undefined || e.step === step)) ? true : undefined), 60_000, `${status} of ${orderId}`);
  const execution = async (orderId: string) => {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    return executions.find((e) => e.name === orderId);
  };
  const closed = async (orderId: string) => {
    await expect.poll(async () => (await execution(orderId))?.status, { timeout: 60_000, interval: 200 }).not.toBe('RUNNING');
    return (await execution(orderId))!;
  };
  const history = async (orderId: string): Promise<HistoryEvent[]> => {
    const { events: list = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: (await execution(orderId))!.executionArn!, maxResults: 1000 }));
    return list;
  };
  const place = async (label: string, items = OVER): Promise<Order> => {
    const response = await call(alice, PlaceOrderDocument, { input: { items, paymentToken: 'tok_approve', clientToken: clientToken(label) } });
    expect(response.errors).toBeUndefined();
    return response.data!.placeOrder;
  };
  const read = async (id: string): Promise<Order> => (await call(alice, OrderDocument, { id })).data!.order!;
  // The sales counters are not in the API: read from the products table, as an operator would.
  const dynamodb = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.developerCredentials });
  const soldOf = async (sku: string): Promise<number> => {
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    const table = TableNames.find((name) => name.includes('Products'))!;
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { sku: { S: sku } }, ConsistentRead: true }));
    return Number(Item?.['sold']?.N ?? 0);
  };
  const close = async () => {
    realtime.close();
    sfn.destroy();
    dynamodb.destroy();
    await stack.stop();
  };
  return { stack, alice, bob, call, events, statuses, until, execution, closed, history, place, read, soldOf, close };
}

type Session = Awaited<ReturnType<typeof session>>;

describe('orders over the approval threshold', () => {
  let s: Session;

  beforeAll(async () => {
    s = await session(null);
  }, 240_000);

  afterAll(async () => {
    await s?.close();
  });

  it('given an order over the threshold, when an approver approves it, then the customer sees AWAITING_APPROVAL, APPROVED and every state to CONFIRMED, and a second approval gets one outcome', async () => {
    const order = await s.place('approve');
    await s.until(order.id, 'AWAITING_APPROVAL');
    const pending = await s.call(s.bob, PendingApprovalsDocument, { limit: 100 });
    expect(pending.errors).toBeUndefined();
    expect(pending.data!.pendingApprovals.items.filter((o) => o.id === order.id)).toHaveLength(1);

    const [first, second] = await Promise.all([
      s.call(s.bob, ApproveOrderDocument, { orderId: order.id, comment: 'fine' }),
      s.call(s.bob, ApproveOrderDocument, { orderId: order.id, comment: 'twice' }),
    ]);
    await s.until(order.id, 'CONFIRMED', 'NOTIFY');
    const done = await s.closed(order.id);

    const outcomes = [first, second].map((r) => (r.errors === undefined ? 'ok' : (r.errors[0] as { errorType?: string }).errorType));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'OrderNotAwaitingApproval')).toHaveLength(1);
    expect(s.statuses(order.id)).toEqual(['VALIDATED', 'AWAITING_APPROVAL', 'APPROVED', 'PAID', 'RESERVED', 'CONFIRMED', 'CONFIRMED']);
    expect(done.status).toBe('SUCCEEDED');
    const final = await s.read(order.id);
    // The two calls race: the note is the one of the call that won.
    const winner = outcomes[0] === 'ok' ? 'fine' : 'twice';
    expect(final).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' }, approval: { decision: 'APPROVED', note: winner } });
    expect(final.approval?.decidedBy).not.toBeNull();
  });

  it('given an order over the threshold, when an approver rejects it, then it is FAILED with the reason and nothing is charged', async () => {
    const order = await s.place('reject');
    await s.until(order.id, 'AWAITING_APPROVAL');

    const rejected = await s.call(s.bob, RejectOrderDocument, { orderId: order.id, reason: 'Unusual quantity' });
    await s.until(order.id, 'FAILED', 'NOTIFY');
    const again = await s.call(s.bob, ApproveOrderDocument, { orderId: order.id });

    expect(rejected.errors).toBeUndefined();
    const final = await s.read(order.id);
    expect(final).toMatchObject({ status: 'FAILED', failure: { code: 'APPROVAL_REJECTED', message: 'Unusual quantity', step: 'APPROVAL' } });
    expect(final.payment).toMatchObject({ status: 'NONE', transactions: [] });
    expect(s.statuses(order.id)).not.toContain('PAID');
    expect((again.errors?.[0] as { errorType?: string }).errorType).toBe('OrderNotAwaitingApproval');
  });

  it('given an order over the threshold, when nobody decides before its timeout, then it is FAILED with APPROVAL_TIMED_OUT', async () => {
    const order = await s.place('timeout');
    await s.until(order.id, 'AWAITING_APPROVAL');
    // An approver keeps listing it (each listing is a heartbeat), so the overall TimeoutSeconds ends it.
    const listing = setInterval(() => void s.call(s.bob, PendingApprovalsDocument, { limit: 100 }), 2_000);
    try {
      await s.until(order.id, 'FAILED', 'NOTIFY');
    } finally {
      clearInterval(listing);
    }

    const final = await s.read(order.id);
    expect(final).toMatchObject({ status: 'FAILED', failure: { code: 'APPROVAL_TIMED_OUT', step: 'APPROVAL' }, payment: { status: 'NONE' } });
    const timedOut = (await s.history(order.id)).filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut.map((e) => e.taskTimedOutEventDetails?.error)).toEqual(['States.Timeout']);
  });

  it('given a customer, when they call approveOrder, then Unauthorized, and an approver cannot decide their own order', async () => {
    const order = await s.place('self');
    await s.until(order.id, 'AWAITING_APPROVAL');
    const selfApprover: Credentials = { kind: 'userPool', token: (await s.stack.issueTokens('alice', ['approvers'])).idToken };

    const byCustomer = await s.call(s.alice, ApproveOrderDocument, { orderId: order.id });
    const listing = await s.call(s.alice, PendingApprovalsDocument, {});
    const ownOrder = await s.call(selfApprover, ApproveOrderDocument, { orderId: order.id });
    await s.call(s.bob, RejectOrderDocument, { orderId: order.id, reason: 'cleanup' });

    expect((byCustomer.errors?.[0] as { errorType?: string }).errorType).toBe('Unauthorized');
    expect((listing.errors?.[0] as { errorType?: string }).errorType).toBe('Unauthorized');
    expect((ownOrder.errors?.[0] as { errorType?: string }).errorType).toBe('OwnOrderApproval');
  });

  it('given an order under the threshold, then it goes straight to payment', async () => {
    const order = await s.place('small', [{ sku: 'MUG-01', quantity: 2 }]);
    await s.until(order.id, 'CONFIRMED', 'NOTIFY');
    await s.closed(order.id);

    expect(s.statuses(order.id)).toEqual(['VALIDATED', 'PAID', 'RESERVED', 'CONFIRMED', 'CONFIRMED']);
  });

  it('given RecordSale fails twice, then the sale is counted once and the order is CONFIRMED', async () => {
    const soldBefore = await s.soldOf('PEN-01');
    const order = await s.place('sale-fails-twice', [{ sku: 'PEN-01', quantity: 3 }]);
    await s.until(order.id, 'CONFIRMED', 'NOTIFY');
    const execution = await s.closed(order.id);

    const history = await s.history(order.id);
    expect(execution.status).toBe('SUCCEEDED');
    expect((await s.read(order.id)).status).toBe('CONFIRMED');
    expect(history.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual(['InjectedFault', 'InjectedFault']);
    expect(await s.soldOf('PEN-01')).toBe(soldBefore + 3);
  });

  it('given RecordSale always fails, then the order stays CONFIRMED and the execution ends in SaleNotRecorded (the failed-executions alarm)', async () => {
    const order = await s.place('sale-always-fails', [{ sku: 'CAP-01', quantity: 1 }]);
    await s.until(order.id, 'CONFIRMED', 'NOTIFY');
    const execution = await s.closed(order.id);

    expect(await s.soldOf('CAP-01')).toBe(0);
    expect((await s.read(order.id)).status).toBe('CONFIRMED');
    expect(execution.status).toBe('FAILED');
    expect((await s.history(order.id)).at(-1)?.executionFailedEventDetails?.error).toBe('SaleNotRecorded');
  });
});

describe('an order waiting for approval when the stack stops', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'approval-restart-'));
  });

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('when the stack starts again on the same state folder, then the approval still completes the order', async () => {
    const before = await session(stateDir);
    let orderId: string;
    try {
      const order = await before.place('restart');
      orderId = order.id;
      await before.until(order.id, 'AWAITING_APPROVAL');
    } finally {
      await before.close();
    }

    const after = await session(stateDir);
    try {
      const approved = await after.call(after.bob, ApproveOrderDocument, { orderId, comment: 'after a restart' });
      expect(approved.errors).toBeUndefined();
      await after.until(orderId, 'CONFIRMED', 'NOTIFY');
      const execution = await after.closed(orderId);

      expect(execution.status).toBe('SUCCEEDED');
      expect(await after.read(orderId)).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' } });
      const history = await after.history(orderId);
      expect(history.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
      expect(history.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'ValidateOrder')).toHaveLength(1);
    } finally {
      await after.close();
    }
  }, 240_000);
});
