import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../resolvers/shared/errors.js';
import { orderIdFor } from '../../../resolvers/orders/domain/identity.js';
import { OrdersService } from '../../../resolvers/orders/domain/orders-service.js';
import { simulatorPaymentId } from '../../../resolvers/orders/domain/payment-simulator.js';
import { world } from './fakes.js';

const NO_LEDGER = { transactions: false };
const WITH_LEDGER = { transactions: true };

function given() {
  const w = world();
  return { ...w, service: new OrdersService(w) };
}

const input = (overrides: Record<string, unknown> = {}) => ({
  items: [
    { sku: 'MUG-01', quantity: 2 },
    { sku: 'TEE-01', quantity: 1 },
  ],
  paymentToken: 'tok_approve',
  clientToken: 'c-1',
  ...overrides,
});

describe('placeOrder', () => {
  it('given valid lines, when placed, then the order is PENDING at the catalog prices and its execution is started', async () => {
    const { service, orders, workflow } = given();

    const order = await service.placeOrder('alice', input(), NO_LEDGER);

    expect(order).toMatchObject({
      id: orderIdFor('alice', 'c-1'),
      owner: 'alice',
      status: 'PENDING',
      totalCents: 2 * 1250 + 2400,
      currency: 'USD',
      payment: { status: 'NONE', transactions: [] },
      items: [
        { sku: 'MUG-01', name: 'Mug', quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 },
        { sku: 'TEE-01', name: 'Tee', quantity: 1, unitPriceCents: 2400, lineTotalCents: 2400 },
      ],
    });
    expect(orders.records.get(order.id)?.status).toBe('PENDING');
    expect(workflow.started).toEqual([order.id]);
  });

  it('given the same clientToken twice at once, when placed, then both get the one order and one execution', async () => {
    const { service, orders, workflow } = given();

    const [a, b] = await Promise.all([service.placeOrder('alice', input(), NO_LEDGER), service.placeOrder('alice', input(), NO_LEDGER)]);

    expect(a.id).toBe(b.id);
    expect(orders.records.size).toBe(1);
    expect(workflow.started).toEqual([a.id]);
  });

  it('given an order placed, when the same clientToken comes with the lines in another order, then it is the same order', async () => {
    const { service } = given();
    const first = await service.placeOrder('alice', input(), NO_LEDGER);

    const again = await service.placeOrder('alice', input({ items: [...input().items].reverse() }), NO_LEDGER);

    expect(again.id).toBe(first.id);
  });

  it('given two users with the same clientToken, when each places, then each has an order of their own', async () => {
    const { service } = given();

    const [a, b] = await Promise.all([service.placeOrder('alice', input(), NO_LEDGER), service.placeOrder('bob', input(), NO_LEDGER)]);

    expect(a.id).not.toBe(b.id);
  });

  it('given an order placed, when the clientToken comes back with other lines or another payment token, then ClientTokenConflict', async () => {
    const { service } = given();
    await service.placeOrder('alice', input(), NO_LEDGER);

    await expect(service.placeOrder('alice', input({ items: [{ sku: 'MUG-01', quantity: 3 }] }), NO_LEDGER)).rejects.toMatchObject({
      name: 'ClientTokenConflict',
    });
    await expect(service.placeOrder('alice', input({ paymentToken: 'tok_decline' }), NO_LEDGER)).rejects.toBeInstanceOf(ValidationError);
  });

  it.each([
    ['an unknown sku', { items: [{ sku: 'NOPE-1', quantity: 1 }] }, 'unknown sku NOPE-1'],
    ['quantity 0', { items: [{ sku: 'MUG-01', quantity: 0 }] }, 'items[0].quantity must be an integer from 1 to 100, got 0'],
    ['a negative quantity', { items: [{ sku: 'MUG-01', quantity: -1 }] }, 'got -1'],
    ['a fractional quantity', { items: [{ sku: 'MUG-01', quantity: 1.5 }] }, 'got 1.5'],
    ['1,000 lines', { items: Array.from({ length: 1000 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 })) }, 'at most 50 lines, got 1000'],
    ['no lines', { items: [] }, 'at least one line'],
    ['a sku twice', { items: [{ sku: 'MUG-01', quantity: 1 }, { sku: 'MUG-01', quantity: 1 }] }, 'appears more than once'],
    ['products in two currencies', { items: [{ sku: 'MUG-01', quantity: 1 }, { sku: 'EURO-01', quantity: 1 }] }, 'different currencies'],
    ['a blank payment token', { paymentToken: '  ' }, 'paymentToken must be 1 to 128 characters'],
    ['a client token with spaces', { clientToken: 'a b' }, 'clientToken must be 1 to 64'],
  ])('given %s, when placed, then a ValidationError says so and nothing is stored or started', async (_label, overrides, message) => {
    const { service, orders, workflow } = given();

    const attempt = service.placeOrder('alice', input(overrides), NO_LEDGER);

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(message);
    expect(orders.records.size).toBe(0);
    expect(workflow.started).toEqual([]);
  });

  it('given several problems, when placed, then all of them are reported at once', async () => {
    const { service } = given();

    await expect(service.placeOrder('alice', { items: [{ sku: '', quantity: 0 }], paymentToken: '', clientToken: '' }, NO_LEDGER)).rejects.toThrow(
      /items\[0\]\.sku.*items\[0\]\.quantity.*paymentToken.*clientToken/,
    );
  });
});

describe('reading orders', () => {
  it("given bob's order, when alice asks for it, then it does not exist for her", async () => {
    const { service } = given();
    const bobs = await service.placeOrder('bob', input(), NO_LEDGER);

    expect(await service.getOrder('alice', bobs.id, NO_LEDGER)).toBeNull();
    expect(await service.getOrder('alice', 'not-an-id', NO_LEDGER)).toBeNull();
    expect((await service.getOrder('bob', bobs.id, NO_LEDGER))?.id).toBe(bobs.id);
  });

  it('given a charged order, when the payment record is selected, then the provider ledger is read', async () => {
    const { service, payments } = given();
    const order = await service.placeOrder('alice', input(), NO_LEDGER);
    await payments.charge({ orderId: order.id, amountCents: order.totalCents, currency: 'USD', paymentId: simulatorPaymentId(order.id) });

    expect((await service.getOrder('alice', order.id, NO_LEDGER))?.payment.transactions).toEqual([]);
    expect((await service.getOrder('alice', order.id, WITH_LEDGER))?.payment.transactions).toMatchObject([{ type: 'CHARGE', amountCents: order.totalCents }]);
  });

  it("given 3 orders, when listed 2 at a time, then pages follow newest first, and a token is not another user's key", async () => {
    const { service, clock } = given();
    const ids: string[] = [];
    for (const token of ['a', 'b', 'c']) {
      ids.push((await service.placeOrder('alice', input({ clientToken: token }), NO_LEDGER)).id);
      clock.advance(1000);
    }

    const first = await service.listOrders('alice', { limit: 2 }, NO_LEDGER);
    const second = await service.listOrders('alice', { limit: 2, nextToken: first.nextToken }, NO_LEDGER);

    expect(first.items.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    expect(second.items.map((o) => o.id)).toEqual([ids[0]]);
    expect(second.nextToken).toBeNull();
    await expect(service.listOrders('bob', { nextToken: first.nextToken }, NO_LEDGER)).rejects.toBeInstanceOf(ValidationError);
    await expect(service.listOrders('alice', { limit: 0 }, NO_LEDGER)).rejects.toThrow('limit must be an integer from 1 to 100');
  });

  it('given the catalog, when listed in pages, then every product comes once', async () => {
    const { service } = given();

    const first = await service.listProducts({ limit: 3 });
    const second = await service.listProducts({ limit: 3, nextToken: first.nextToken });

    expect([...first.items, ...second.items].map((p) => p.sku)).toEqual(['EURO-01', 'LAMP-01', 'MUG-01', 'TEE-01']);
    expect(second.nextToken).toBeNull();
    await expect(service.listProducts({ nextToken: 'garbage!' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('cancelOrder', () => {
  it('given a PENDING order, when its owner cancels it, then it is CANCELLED and the cancellation is announced', async () => {
    const { service, orders, publisher } = given();
    const order = await service.placeOrder('alice', input(), NO_LEDGER);

    const cancelled = await service.cancelOrder('alice', order.id, NO_LEDGER);

    expect(cancelled.status).toBe('CANCELLED');
    expect(orders.records.get(order.id)?.status).toBe('CANCELLED');
    expect(publisher.of(order.id)).toEqual([['CANCELLED', 'CANCEL']]);
    expect((await service.cancelOrder('alice', order.id, NO_LEDGER)).status).toBe('CANCELLED');
    expect(publisher.of(order.id)).toHaveLength(1);
  });

  it("given alice's order, when bob cancels it, then NotFoundError and the order is untouched", async () => {
    const { service, orders } = given();
    const order = await service.placeOrder('alice', input(), NO_LEDGER);

    await expect(service.cancelOrder('bob', order.id, NO_LEDGER)).rejects.toMatchObject({ name: 'NotFoundError', message: 'Order not found' });
    expect(orders.records.get(order.id)?.status).toBe('PENDING');
  });

  it.each(['CONFIRMED', 'FAILED', 'NEEDS_ATTENTION'] as const)('given a %s order, when cancelled, then OrderNotCancellable', async (status) => {
    const { service, orders } = given();
    const order = await service.placeOrder('alice', input(), NO_LEDGER);
    orders.records.set(order.id, { ...orders.records.get(order.id)!, status });

    await expect(service.cancelOrder('alice', order.id, NO_LEDGER)).rejects.toMatchObject({
      name: 'OrderNotCancellable',
      message: `The order is ${status} and can no longer be cancelled`,
    });
    expect(orders.records.get(order.id)?.status).toBe(status);
  });
});
