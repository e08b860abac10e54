import { describe, expect, it } from 'vitest';
import { OrderSaga, causeMessage, customerMessage, describeFailure } from '../../../resolvers/orders/domain/order-saga.js';
import { OrdersService } from '../../../resolvers/orders/domain/orders-service.js';
import type { OrderRecord } from '../../../resolvers/orders/domain/model.js';
import { world } from './fakes.js';

/** A caught Lambda error as Step Functions puts it into the state's input. */
const caught = (name: string, message: string) => ({ Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [] }) });

async function given(options: { paymentToken?: string; items?: { sku: string; quantity: number }[] } = {}) {
  const w = world();
  const saga = new OrderSaga(w);
  const placed = await new OrdersService(w).placeOrder(
    'alice',
    {
      items: options.items ?? [{ sku: 'MUG-01', quantity: 2 }],
      paymentToken: options.paymentToken ?? 'tok_approve',
      clientToken: 'c-1',
    },
    { transactions: false },
  );
  const orderId = placed.id;
  const order = () => w.orders.records.get(orderId)!;
  const stock = (sku: string) => w.catalog.products.get(sku)!.stock;
  return { ...w, saga, orderId, order, stock, input: { orderId } };
}

describe('the forward path', () => {
  it('given a placed order, when every forward step runs, then it is CONFIRMED, charged once, the stock lowered and each step announced', async () => {
    const { saga, input, order, stock, publisher, ledger } = await given();

    await saga.validateOrder(input);
    await saga.processPayment(input);
    await saga.reserveInventory(input);
    await saga.confirmOrder(input);
    await saga.notifyCustomer(input);

    expect(order()).toMatchObject({ status: 'CONFIRMED', payment: { status: 'CHARGED' }, reservation: { releasedAt: null } });
    expect(order().notifiedAt).not.toBeNull();
    expect(stock('MUG-01')).toBe(8);
    expect(ledger.charges.size).toBe(1);
    expect(publisher.of(input.orderId)).toEqual([
      ['VALIDATED', 'VALIDATE'],
      ['PAID', 'PAYMENT'],
      ['RESERVED', 'INVENTORY'],
      ['CONFIRMED', 'CONFIRM'],
      ['CONFIRMED', 'NOTIFY'],
    ]);
  });

  it('given a step that already ran (its result was lost), when it runs again, then nothing is done twice and the event is announced again', async () => {
    const { saga, input, orders, ledger, stock, publisher } = await given();
    await saga.validateOrder(input);
    await saga.processPayment(input);
    await saga.reserveInventory(input);

    await saga.validateOrder(input);
    const payment = await saga.processPayment(input);
    const reserve = await saga.reserveInventory(input);

    expect(payment.outcome).toBe('ALREADY_DONE');
    expect(reserve.outcome).toBe('ALREADY_DONE');
    expect(ledger.charges.size).toBe(1);
    expect(stock('MUG-01')).toBe(8);
    expect(orders.transitions).toHaveLength(2);
    expect(publisher.of(input.orderId).filter(([status]) => status === 'RESERVED')).toHaveLength(2);
  });

  it('given the event cannot be published, when the step runs, then it fails (to be retried) after its write, and the retry announces it', async () => {
    const { saga, input, publisher, order } = await given();
    publisher.failNext = 1;

    await expect(saga.validateOrder(input)).rejects.toMatchObject({ name: 'EventPublishError' });
    expect(order().status).toBe('VALIDATED');
    await saga.validateOrder(input);

    expect(publisher.of(input.orderId)).toEqual([['VALIDATED', 'VALIDATE']]);
  });

  it('given a product withdrawn after the order was placed, when validated, then InvalidOrder names it', async () => {
    const { saga, input, catalog } = await given();
    catalog.products.delete('MUG-01');

    await expect(saga.validateOrder(input)).rejects.toMatchObject({ name: 'InvalidOrder', message: expect.stringContaining('MUG-01 is no longer sold') });
  });

  it('given a declining card, when paid, then PaymentDeclined with the reason, the decline is recorded and nothing is charged', async () => {
    const { saga, input, order, ledger } = await given({ paymentToken: 'tok_decline' });
    await saga.validateOrder(input);

    await expect(saga.processPayment(input)).rejects.toMatchObject({ name: 'PaymentDeclined', message: 'card_declined: insufficient funds' });
    expect(order().payment).toEqual({ status: 'DECLINED', reference: null, declineReason: 'card_declined: insufficient funds' });
    expect(ledger.charges.size).toBe(0);
  });

  it('given an order cancelled while the card was charged, when the charge returns, then OrderCancelled (the Catch refunds it)', async () => {
    const w = await given();
    await w.saga.validateOrder(w.input);
    const originalCharge = w.payments.charge.bind(w.payments);
    w.payments.charge = async (request) => {
      const result = await originalCharge(request);
      w.orders.records.set(w.orderId, { ...w.order(), status: 'CANCELLED' });
      return result;
    };

    await expect(w.saga.processPayment(w.input)).rejects.toMatchObject({ name: 'OrderCancelled' });
    expect(w.ledger.charges.size).toBe(1);
  });

  it('given a cancelled order, when the next forward step runs, then OrderCancelled and nothing is done', async () => {
    const { saga, input, orders, order, ledger } = await given();
    await saga.validateOrder(input);
    orders.records.set(input.orderId, { ...order(), status: 'CANCELLED' });

    await expect(saga.processPayment(input)).rejects.toMatchObject({ name: 'OrderCancelled' });
    expect(ledger.charges.size).toBe(0);
  });

  it('given more requested than in stock on one line, when reserved, then OutOfStock names the line and no line is reserved', async () => {
    const { saga, input, stock } = await given({
      items: [
        { sku: 'MUG-01', quantity: 1 },
        { sku: 'LAMP-01', quantity: 2 },
      ],
    });
    await saga.validateOrder(input);
    await saga.processPayment(input);

    await expect(saga.reserveInventory(input)).rejects.toMatchObject({
      name: 'OutOfStock',
      message: 'Out of stock: LAMP-01 (2 requested, 1 available)',
      shortages: [{ sku: 'LAMP-01', requested: 2, available: 1 }],
    });
    expect(stock('MUG-01')).toBe(10);
    expect(stock('LAMP-01')).toBe(1);
  });

  it('given an order not yet validated, when payment runs, then OrderStateConflict', async () => {
    const { saga, input } = await given();
    await expect(saga.processPayment(input)).rejects.toMatchObject({ name: 'OrderStateConflict' });
  });

  it('given no such order, when a forward step runs, then OrderNotFound; a compensation has nothing to do', async () => {
    const { saga } = await given();
    await expect(saga.validateOrder({ orderId: 'missing' })).rejects.toMatchObject({ name: 'OrderNotFound' });
    expect((await saga.refundPayment({ orderId: 'missing' })).outcome).toBe('NO_ORDER');
  });
});

describe('compensation', () => {
  async function reservedAndPaid() {
    const w = await given({ items: [{ sku: 'MUG-01', quantity: 3 }] });
    await w.saga.validateOrder(w.input);
    await w.saga.processPayment(w.input);
    await w.saga.reserveInventory(w.input);
    return w;
  }

  it('given a reserved and paid order, when compensated twice over, then the stock comes back once and one refund is made', async () => {
    const { saga, input, stock, ledger, order, publisher } = await reservedAndPaid();
    const error = caught('OrderStateConflict', 'boom');

    for (let round = 0; round < 2; round += 1) {
      await saga.releaseInventory({ ...input, error });
      await saga.refundPayment({ ...input, error });
    }
    await saga.markFailed({ ...input, error });

    expect(stock('MUG-01')).toBe(10);
    expect(ledger.refunds.size).toBe(1);
    expect(order()).toMatchObject({ status: 'FAILED', payment: { status: 'REFUNDED' } });
    expect(order().reservation?.releasedAt).not.toBeNull();
    expect(publisher.of(input.orderId).slice(3)).toEqual([
      ['RESERVED', 'RELEASE_INVENTORY'],
      ['RESERVED', 'REFUND_PAYMENT'],
      ['RESERVED', 'RELEASE_INVENTORY'],
      ['RESERVED', 'REFUND_PAYMENT'],
      ['FAILED', 'MARK_FAILED'],
    ]);
  });

  it('given nothing was reserved or charged, when compensated, then nothing is undone or announced', async () => {
    const { saga, input, publisher, ledger } = await given();
    await saga.validateOrder(input);

    expect((await saga.releaseInventory(input)).outcome).toBe('NOT_RESERVED');
    expect((await saga.refundPayment(input)).outcome).toBe('NOTHING_TO_REFUND');
    expect(ledger.refunds.size).toBe(0);
    expect(publisher.of(input.orderId)).toEqual([['VALIDATED', 'VALIDATE']]);
  });

  it('given a refund that fails once, when retried, then exactly one refund is made', async () => {
    const { saga, input, ledger } = await given({ paymentToken: 'tok_refund_fail_once' });
    await saga.validateOrder(input);
    await saga.processPayment(input);

    await expect(saga.refundPayment(input)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    await saga.refundPayment(input);
    await saga.refundPayment(input);

    expect(ledger.refunds.size).toBe(1);
  });

  it.each([
    ['PaymentDeclined', 'card_declined: insufficient funds', 'VALIDATED', { code: 'PAYMENT_DECLINED', step: 'PAYMENT' }],
    ['OutOfStock', 'Out of stock: X', 'PAID', { code: 'OUT_OF_STOCK', step: 'INVENTORY' }],
    ['InvalidOrder', 'The order cannot be fulfilled', 'PENDING', { code: 'INVALID_ORDER', step: 'VALIDATE' }],
    ['PaymentProviderUnavailable', 'The payment provider is unavailable', 'VALIDATED', { code: 'PAYMENT_FAILED', step: 'PAYMENT' }],
    ['Sandbox.Timedout', 'Task timed out', 'RESERVED', { code: 'CONFIRM_FAILED', step: 'CONFIRM' }],
  ] as const)('given %s caught while %s, when marked failed, then the failure says what and where', async (name, message, status, expected) => {
    const { saga, input, orders, order } = await given();
    orders.records.set(input.orderId, { ...order(), status });

    await saga.markFailed({ ...input, error: caught(name, message) });

    expect(order()).toMatchObject({ status: 'FAILED', failure: { ...expected, message } });
  });

  it('given a cancelled order, when marked failed, then it stays CANCELLED and is notified as cancelled', async () => {
    const { saga, input, orders, order, publisher } = await given();
    orders.records.set(input.orderId, { ...order(), status: 'CANCELLED' });

    expect((await saga.markFailed({ ...input, error: caught('OrderCancelled', 'cancelled') })).outcome).toBe('UNCHANGED');
    await saga.notifyCustomer(input);

    expect(order().status).toBe('CANCELLED');
    expect(publisher.events.at(-1)).toMatchObject({ status: 'CANCELLED', step: 'NOTIFY', message: 'Your order was cancelled. You were not charged.' });
  });

  it('given a final order, when notified twice, then the customer hears once', async () => {
    const { saga, input, orders, order, publisher } = await given();
    orders.records.set(input.orderId, { ...order(), status: 'CONFIRMED' });

    await saga.notifyCustomer(input);
    expect((await saga.notifyCustomer(input)).outcome).toBe('ALREADY_NOTIFIED');

    expect(publisher.of(input.orderId)).toEqual([['CONFIRMED', 'NOTIFY']]);
  });

  it('given a refund that failed for good, when escalated, then the order NEEDS_ATTENTION naming the refund, and the owner is told', async () => {
    const { saga, input, order, publisher } = await given({ paymentToken: 'tok_refund_always_fail' });
    await saga.validateOrder(input);
    await saga.processPayment(input);

    await saga.markNeedsAttention({
      ...input,
      error: caught('OutOfStock', 'Out of stock: MUG-01'),
      compensationError: caught('PaymentProviderUnavailable', 'The payment provider is unavailable'),
    });

    expect(order()).toMatchObject({ status: 'NEEDS_ATTENTION', failure: { code: 'COMPENSATION_FAILED', step: 'REFUND_PAYMENT' } });
    expect(order().failure?.message).toContain('The payment provider is unavailable');
    expect(order().failure?.message).toContain('Out of stock: MUG-01');
    expect(publisher.events.at(-1)).toMatchObject({ status: 'NEEDS_ATTENTION', step: 'ESCALATE' });
  });
});

describe('reading caught errors', () => {
  it('given a Lambda error payload in Cause, then its errorMessage; a plain Cause as it is; none, the error name', () => {
    expect(causeMessage(caught('X', 'the message'))).toBe('the message');
    expect(causeMessage({ Error: 'States.Timeout', Cause: 'Task timed out' })).toBe('Task timed out');
    expect(causeMessage({ Error: 'States.Timeout', Cause: null })).toBe('States.Timeout');
  });

  it('given no error at all, then the failure is UNKNOWN at the step that was next', () => {
    expect(describeFailure(undefined, 'PAID')).toEqual({ code: 'UNKNOWN', message: 'The order could not be completed', step: 'INVENTORY' });
  });

  it('given a refunded failed order, then the customer is told why and that the money came back', () => {
    const order = {
      status: 'FAILED',
      totalCents: 1250,
      currency: 'USD',
      items: [],
      payment: { status: 'REFUNDED' },
      failure: { code: 'OUT_OF_STOCK', message: 'Out of stock: X', step: 'INVENTORY' },
    } as unknown as OrderRecord;
    expect(customerMessage(order)).toBe('Your order could not be completed: Out of stock: X. 12.50 USD was refunded.');
  });
});
