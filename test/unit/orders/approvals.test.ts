import { describe, expect, it } from 'vitest';
import { ApprovalAndSaleSteps } from '../../../resolvers/orders/domain/approval-and-sale.js';
import { OrderSaga, describeFailure } from '../../../resolvers/orders/domain/order-saga.js';
import { OrdersService } from '../../../resolvers/orders/domain/orders-service.js';
import { world } from './fakes.js';

/** The approval and the sale, on in-memory ports: who may decide, how often, and what follows. */

const VIEW = { transactions: false };

async function given() {
  const w = world();
  const service = new OrdersService(w);
  const saga = new OrderSaga(w);
  const steps = new ApprovalAndSaleSteps(w);
  const placed = await service.placeOrder('alice', { items: [{ sku: 'TEE-01', quantity: 3 }], paymentToken: 'tok_approve', clientToken: 'big-1' }, VIEW);
  const orderId = placed.id;
  await saga.validateOrder({ orderId });
  const order = () => w.orders.records.get(orderId)!;
  return { ...w, service, saga, steps, orderId, order };
}

describe('given an order waiting for approval', () => {
  it('when RequestApproval runs (also again, as a retry), then it is AWAITING_APPROVAL with the latest token and announced', async () => {
    const { steps, orderId, order, publisher } = await given();

    await steps.requestApproval({ orderId, taskToken: 'token-1' });
    await steps.requestApproval({ orderId, taskToken: 'token-2' });

    expect(order()).toMatchObject({ status: 'AWAITING_APPROVAL', approval: { taskToken: 'token-2', decision: null } });
    expect(publisher.of(orderId).filter(([status]) => status === 'AWAITING_APPROVAL')).toEqual([
      ['AWAITING_APPROVAL', 'APPROVAL'],
      ['AWAITING_APPROVAL', 'APPROVAL'],
    ]);
  });

  it('when RequestApproval runs again with its token after an approver decided, then it succeeds and changes and announces nothing', async () => {
    const { service, steps, orderId, order, publisher } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });
    await service.approveOrder('bob', orderId, 'ok', VIEW);

    const again = await steps.requestApproval({ orderId, taskToken: 'token-1' });

    expect(again).toMatchObject({ orderId, outcome: 'AWAITING_APPROVAL' });
    expect(order()).toMatchObject({ status: 'APPROVED', approval: { taskToken: 'token-1', decision: 'APPROVED' } });
    expect(publisher.of(orderId).filter(([status]) => status === 'AWAITING_APPROVAL')).toHaveLength(1);
  });

  it('when RequestApproval runs with another token after an approver decided, then it fails with a state conflict', async () => {
    const { service, steps, orderId } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });
    await service.approveOrder('bob', orderId, 'ok', VIEW);

    await expect(steps.requestApproval({ orderId, taskToken: 'token-2' })).rejects.toMatchObject({ name: 'OrderStateConflict' });
  });

  it('when two approvers approve at once, then one decision is recorded and the task answered once', async () => {
    const { service, steps, orderId, order, workflow } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });

    const outcomes = await Promise.allSettled([service.approveOrder('bob', orderId, 'ok', VIEW), service.approveOrder('carol', orderId, null, VIEW)]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.name)).toEqual(['OrderNotAwaitingApproval']);
    expect(workflow.answers).toEqual([{ taskToken: 'token-1', answer: { kind: 'success', output: expect.objectContaining({ decision: 'APPROVED' }) } }]);
    expect(order()).toMatchObject({ status: 'APPROVED', approval: { decision: 'APPROVED' } });
  });

  it('when rejected, then the task fails with ApprovalRejected and the reason, and MarkFailed ends it FAILED with APPROVAL_REJECTED', async () => {
    const { service, saga, steps, orderId, order, workflow, ledger } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });

    await service.rejectOrder('bob', orderId, '  Too many shirts  ', VIEW);
    const answer = workflow.answers[0]!.answer;
    await saga.markFailed({ orderId, error: { Error: (answer as { error: string }).error, Cause: (answer as { cause: string }).cause } });

    expect(answer).toEqual({ kind: 'failure', error: 'ApprovalRejected', cause: 'Too many shirts' });
    expect(order()).toMatchObject({ status: 'FAILED', failure: { code: 'APPROVAL_REJECTED', message: 'Too many shirts', step: 'APPROVAL' } });
    expect(ledger.charges.size).toBe(0);
  });

  it('when the approver is the customer, the reason is blank, or the wait has ended, then a clear error each', async () => {
    const { service, steps, orderId, workflow } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });

    await expect(service.approveOrder('alice', orderId, null, VIEW)).rejects.toMatchObject({ name: 'OwnOrderApproval' });
    await expect(service.rejectOrder('bob', orderId, '   ', VIEW)).rejects.toThrow(/needs a reason/);
    workflow.closed.add('token-1');
    await expect(service.approveOrder('bob', orderId, null, VIEW)).rejects.toMatchObject({ name: 'ApprovalExpired' });
  });

  it('when the customer cancels it, then the waiting task is answered with OrderCancelled', async () => {
    const { service, steps, orderId, workflow } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });

    await service.cancelOrder('alice', orderId, VIEW);

    expect(workflow.answers).toEqual([{ taskToken: 'token-1', answer: { kind: 'failure', error: 'OrderCancelled', cause: 'Cancelled by the customer' } }]);
  });

  it('when approvers list the queue, then they see it and each listing is a heartbeat', async () => {
    const { service, steps, orderId, workflow } = await given();
    await steps.requestApproval({ orderId, taskToken: 'token-1' });

    const page = await service.pendingApprovals({ limit: 10 }, VIEW);

    expect(page.items.map((o) => o.id)).toEqual([orderId]);
    expect(page.items[0]?.approval).toMatchObject({ decision: null });
    expect(JSON.stringify(page)).not.toContain('token-1');
    expect(workflow.heartbeats).toEqual(['token-1']);
  });
});

describe('given a wait that ended without a decision', () => {
  it.each(['States.Timeout', 'States.HeartbeatTimeout'])('when it failed with %s, then the failure is APPROVAL_TIMED_OUT', (error) => {
    expect(describeFailure({ Error: error, Cause: null }, 'AWAITING_APPROVAL')).toMatchObject({ code: 'APPROVAL_TIMED_OUT', step: 'APPROVAL' });
    expect(describeFailure({ Error: error, Cause: null }, 'VALIDATED').code).not.toBe('APPROVAL_TIMED_OUT');
  });
});

describe('given a confirmed order', () => {
  it('when RecordSale runs twice (the first lost, or a retry), then each line counts once', async () => {
    const w = world();
    const service = new OrdersService(w);
    const saga = new OrderSaga(w);
    const steps = new ApprovalAndSaleSteps(w);
    const { id: orderId } = await service.placeOrder('alice', { items: [{ sku: 'MUG-01', quantity: 2 }], paymentToken: 'tok_approve', clientToken: 's-1' }, VIEW);
    for (const step of [saga.validateOrder, saga.processPayment, saga.reserveInventory, saga.confirmOrder]) await step.call(saga, { orderId });
    w.sales.failNext = 1;

    await expect(steps.recordSale({ orderId })).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    const outcomes = [await steps.recordSale({ orderId }), await steps.recordSale({ orderId })].map((r) => r.outcome);

    expect(outcomes).toEqual(['RECORDED', 'ALREADY_RECORDED']);
    expect(w.sales.sold.get('MUG-01')).toBe(2);
    expect(w.orders.records.get(orderId)?.status).toBe('CONFIRMED');
  });
});
