import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDocumentClient } from '../../resolvers/shared/aws-clients.js';
import {
  DynamoDbInventory,
  DynamoDbOrderRepository,
  DynamoDbProductCatalog,
  ORDERS_BY_OWNER_INDEX,
} from '../../resolvers/orders/adapters/dynamodb-orders.js';
import { DynamoDbPaymentLedger } from '../../resolvers/orders/adapters/dynamodb-payment-ledger.js';
import type { OrderRecord } from '../../resolvers/orders/domain/model.js';
import { PaymentSimulator } from '../../resolvers/orders/domain/payment-simulator.js';

/**
 * The orders adapters against DynamoDB Local, tables keyed as infra/constructs/orders-tables.ts
 * declares them: products (`sku`), orders (`id`, GSI `byOwner`), payments (`orderId`, `entry`).
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let productsTable: string;
let ordersTable: string;
let paymentsTable: string;

async function createTable(name: string, keys: { name: string; range?: string }, index?: boolean): Promise<void> {
  await raw.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: keys.name, AttributeType: 'S' },
        ...(keys.range ? [{ AttributeName: keys.range, AttributeType: 'S' as const }] : []),
        ...(index
          ? [
              { AttributeName: 'owner', AttributeType: 'S' as const },
              { AttributeName: 'createdAt', AttributeType: 'S' as const },
            ]
          : []),
      ],
      KeySchema: [{ AttributeName: keys.name, KeyType: 'HASH' }, ...(keys.range ? [{ AttributeName: keys.range, KeyType: 'RANGE' as const }] : [])],
      ...(index
        ? {
            GlobalSecondaryIndexes: [
              {
                IndexName: ORDERS_BY_OWNER_INDEX,
                KeySchema: [
                  { AttributeName: 'owner', KeyType: 'HASH' },
                  { AttributeName: 'createdAt', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          }
        : {}),
    }),
  );
}

beforeAll(async () => {
  raw = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1', credentials });
  client = createDocumentClient(raw);
  const suffix = randomUUID().slice(0, 8);
  [productsTable, ordersTable, paymentsTable] = [`products-${suffix}`, `orders-${suffix}`, `payments-${suffix}`];
  await Promise.all([
    createTable(productsTable, { name: 'sku' }),
    createTable(ordersTable, { name: 'id' }, true),
    createTable(paymentsTable, { name: 'orderId', range: 'entry' }),
  ]);
});

afterAll(() => raw?.destroy());

const catalog = () => new DynamoDbProductCatalog({ client, tableName: productsTable });
const orders = () => new DynamoDbOrderRepository({ client, tableName: ordersTable });
const inventory = () => new DynamoDbInventory({ client, ordersTable, productsTable });

async function stock(entries: Record<string, number>): Promise<void> {
  await client.send(
    new BatchWriteCommand({
      RequestItems: {
        [productsTable]: Object.entries(entries).map(([sku, units]) => ({
          PutRequest: { Item: { sku, name: sku, priceCents: 100, currency: 'USD', stock: units } },
        })),
      },
    }),
  );
}

const stockOf = async (sku: string) => (await catalog().getMany([sku])).get(sku)?.stock;

function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    id: randomUUID(),
    owner: 'alice',
    clientToken: 'c',
    fingerprint: 'f',
    status: 'PAID',
    items: [],
    totalCents: 0,
    currency: 'USD',
    paymentId: 'pi_1',
    payment: { status: 'CHARGED', reference: 'ch_1', declineReason: null },
    reservation: null,
    failure: null,
    notifiedAt: null,
    approval: null,
    saleRecordedAt: null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

const line = (sku: string, quantity: number) => ({ sku, name: sku, quantity, unitPriceCents: 100 });

describe('the orders repository', () => {
  it('given an order, when created twice, then the second create writes nothing; it reads back the same', async () => {
    const record = order({ status: 'PENDING', items: [line('X', 1)], failure: null, reservation: null });

    expect(await orders().create(record)).toBe(true);
    expect(await orders().create({ ...record, clientToken: 'other' })).toBe(false);

    expect(await orders().get(record.id)).toEqual(record);
  });

  it('given an order, when transitions race from the same status, then exactly one wins', async () => {
    const record = order({ status: 'RESERVED' });
    await orders().create(record);

    const results = await Promise.all([
      orders().transition(record.id, ['RESERVED'], 'CONFIRMED', 'now'),
      orders().transition(record.id, ['PENDING', 'VALIDATED', 'PAID', 'RESERVED'], 'CANCELLED', 'now'),
    ]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect(['CONFIRMED', 'CANCELLED']).toContain((await orders().get(record.id))?.status);
  });

  it('given a transition with a failure, when made, then the failure is stored; notifiedAt is set once', async () => {
    const record = order({ status: 'PAID' });
    await orders().create(record);

    await orders().transition(record.id, ['PAID'], 'FAILED', 't1', { failure: { code: 'OUT_OF_STOCK', message: 'none left', step: 'INVENTORY' } });
    expect(await orders().markNotified(record.id, 't2')).toBe(true);
    expect(await orders().markNotified(record.id, 't3')).toBe(false);

    expect(await orders().get(record.id)).toMatchObject({
      status: 'FAILED',
      failure: { code: 'OUT_OF_STOCK', message: 'none left', step: 'INVENTORY' },
      notifiedAt: 't2',
    });
  });

  it("given 5 of one owner's orders, when listed 2 by 2, then newest first without repeats", async () => {
    const owner = `owner-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const record = order({ owner, createdAt: `2026-01-0${i + 1}T00:00:00.000Z` });
      ids.push(record.id);
      await orders().create(record);
    }

    const seen: string[] = [];
    let startAfter = null as Parameters<DynamoDbOrderRepository['listByOwner']>[1]['startAfter'];
    do {
      const page = await orders().listByOwner(owner, { limit: 2, startAfter });
      seen.push(...page.items.map((o) => o.id));
      startAfter = page.lastKey;
    } while (startAfter !== null);

    expect(seen).toEqual([...ids].reverse());
  });
});

describe('the inventory', () => {
  it('given enough stock for every line, when reserved, then all lines drop together and the order is RESERVED', async () => {
    await stock({ 'R-A': 5, 'R-B': 5 });
    const record = order({ items: [line('R-A', 2), line('R-B', 5)] });
    await orders().create(record);

    expect(await inventory().reserve(record, 'now')).toEqual({ kind: 'RESERVED' });

    expect([await stockOf('R-A'), await stockOf('R-B')]).toEqual([3, 0]);
    expect(await orders().get(record.id)).toMatchObject({ status: 'RESERVED', reservation: { reservedAt: 'now', releasedAt: null } });
  });

  it('given one line short, when reserved, then nothing moves (one transaction) and the shortage says what is left', async () => {
    await stock({ 'S-A': 5, 'S-B': 1 });
    const record = order({ items: [line('S-A', 2), line('S-B', 3)] });
    await orders().create(record);

    expect(await inventory().reserve(record, 'now')).toEqual({ kind: 'OUT_OF_STOCK', shortages: [{ sku: 'S-B', requested: 3, available: 1 }] });

    expect([await stockOf('S-A'), await stockOf('S-B')]).toEqual([5, 1]);
    expect((await orders().get(record.id))?.status).toBe('PAID');
  });

  it('given one unit and two paid orders for it, when both reserve at once, then exactly one gets it', async () => {
    await stock({ 'LAST-1': 1 });
    const [a, b] = [order({ items: [line('LAST-1', 1)] }), order({ items: [line('LAST-1', 1)] })];
    await Promise.all([orders().create(a), orders().create(b)]);

    const outcomes = await Promise.all([inventory().reserve(a, 'now'), inventory().reserve(b, 'now')]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['OUT_OF_STOCK', 'RESERVED']);
    expect(await stockOf('LAST-1')).toBe(0);
  });

  it('given an order no longer PAID (cancelled), when reserved, then ORDER_CHANGED and no stock moves', async () => {
    await stock({ 'C-A': 2 });
    const record = order({ status: 'CANCELLED', items: [line('C-A', 1)] });
    await orders().create(record);

    expect(await inventory().reserve(record, 'now')).toEqual({ kind: 'ORDER_CHANGED' });
    expect(await stockOf('C-A')).toBe(2);
  });

  it('given a reservation, when released three times (also at once), then the stock comes back once', async () => {
    await stock({ 'REL-A': 4 });
    const record = order({ items: [line('REL-A', 3)] });
    await orders().create(record);
    await inventory().reserve(record, 'now');

    const outcomes = await Promise.all([inventory().release(record, 't1'), inventory().release(record, 't2')]);
    outcomes.push(await inventory().release(record, 't3'));

    expect(outcomes.sort()).toEqual(['ALREADY_RELEASED', 'ALREADY_RELEASED', 'RELEASED']);
    expect(await stockOf('REL-A')).toBe(4);
    expect(await inventory().release(order({ items: [line('REL-A', 1)] }), 't4')).toBe('NOT_RESERVED');
  });
});

describe('the payment simulator on its DynamoDB ledger', () => {
  it('given the same order charged at once from two places, then one charge; refunded at once, one refund', async () => {
    const simulator = new PaymentSimulator({ ledger: new DynamoDbPaymentLedger({ client, tableName: paymentsTable }), slowMs: 0 });
    const orderId = randomUUID();
    const { paymentId } = await simulator.prepare({ orderId, amountCents: 2500, currency: 'USD', paymentToken: 'tok_approve' });
    const request = { orderId, amountCents: 2500, currency: 'USD', paymentId };

    const charges = await Promise.all([simulator.charge(request), simulator.charge(request), simulator.charge(request)]);
    const refunds = await Promise.all([simulator.refund(request), simulator.refund(request)]);

    expect(new Set(charges.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(refunds.map((r) => r.status).sort()).toEqual(['ALREADY_REFUNDED', 'REFUNDED']);
    expect((await simulator.transactions(request)).map((t) => [t.type, t.amountCents])).toEqual([
      ['CHARGE', 2500],
      ['REFUND', 2500],
    ]);
  });

  it('given tok_fail_once, when charged twice, then the attempt counter makes the first fail and the second pass', async () => {
    const simulator = new PaymentSimulator({ ledger: new DynamoDbPaymentLedger({ client, tableName: paymentsTable }), slowMs: 0 });
    const orderId = randomUUID();
    const { paymentId } = await simulator.prepare({ orderId, amountCents: 100, currency: 'USD', paymentToken: 'tok_fail_once' });
    const request = { orderId, amountCents: 100, currency: 'USD', paymentId };

    await expect(simulator.charge(request)).rejects.toMatchObject({ name: 'PaymentProviderUnavailable' });
    expect((await simulator.charge(request)).status).toBe('APPROVED');
  });
});

describe('the catalog', () => {
  it('given products, when listed in pages, then each comes exactly once', async () => {
    await stock({ 'P-1': 1, 'P-2': 1, 'P-3': 1, 'P-4': 1, 'P-5': 1 });
    const all: string[] = [];
    let startAfter: string | null = null;
    do {
      const page: Awaited<ReturnType<DynamoDbProductCatalog['list']>> = await catalog().list({ limit: 3, startAfter });
      all.push(...page.items.map((p) => p.sku));
      startAfter = page.lastKey;
    } while (startAfter !== null);

    expect(all).toEqual(expect.arrayContaining(['P-1', 'P-2', 'P-3', 'P-4', 'P-5']));
    expect(new Set(all).size).toBe(all.length);
  });
});
