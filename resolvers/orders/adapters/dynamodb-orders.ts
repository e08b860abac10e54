/**
 * The orders domain's storage on DynamoDB:
 * - products table: partition key `sku` (S); `stock` is a number the reservations lower;
 * - orders table: partition key `id` (S); GSI `byOwner`: `owner` (S), `createdAt` (S), ALL.
 *
 * Inventory writes both tables in one transaction, so an order's reservation and the stock it
 * claims (or gives back) change together or not at all. Absent optional fields are not stored
 * and read back as null.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Shortage } from '../domain/errors.js';
import type { OrderLineRecord, OrderListKey, OrderRecord, OrderStatus, PaymentRecord, ProductRecord } from '../domain/model.js';
import { type Item, orderFromItem, orderToItem, paymentToItem, productFromItem, withoutNulls } from './dynamodb-order-items.js';
import { awaitApproval, decideApproval, listAwaitingApproval } from './dynamodb-approvals.js';
import type {
  ApprovalDecisionInput,
  Inventory,
  OrderRepository,
  Page,
  ProductCatalog,
  ReleaseOutcome,
  ReserveOutcome,
  TransitionChanges,
} from '../domain/ports.js';

export const ORDERS_BY_OWNER_INDEX = 'byOwner';

export { CorruptOrderRecordError } from './dynamodb-order-items.js';

export interface OrdersTables {
  readonly client: DynamoDBDocumentClient;
  readonly ordersTable: string;
  readonly productsTable: string;
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

export class DynamoDbProductCatalog implements ProductCatalog {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async getMany(skus: readonly string[]): Promise<ReadonlyMap<string, ProductRecord>> {
    const found = new Map<string, ProductRecord>();
    const unique = [...new Set(skus)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Item[] | undefined = unique.slice(start, start + 100).map((sku) => ({ sku }));
      // BatchGet may leave keys unprocessed under load; ask again for those.
      for (let round = 0; keys !== undefined && keys.length > 0; round += 1) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        const result = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.#table] ?? []) {
          const product = productFromItem(item);
          found.set(product.sku, product);
        }
        keys = result.UnprocessedKeys?.[this.#table]?.Keys as Item[] | undefined;
      }
    }
    return found;
  }

  /** In the table's own order (DynamoDB scans by hash): stable across pages. */
  async list(options: { limit: number; startAfter: string | null }): Promise<Page<ProductRecord, string>> {
    const items: ProductRecord[] = [];
    let exclusiveStartKey: Item | undefined = options.startAfter === null ? undefined : { sku: options.startAfter };
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#table,
          Limit: options.limit + 1 - items.length,
          ExclusiveStartKey: exclusiveStartKey,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []).map(productFromItem));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (items.length <= options.limit && exclusiveStartKey !== undefined);
    const pageItems = items.slice(0, options.limit);
    const last = pageItems.at(-1);
    return { items: pageItems, lastKey: items.length > options.limit && last !== undefined ? last.sku : null };
  }
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

export class DynamoDbOrderRepository implements OrderRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async create(order: OrderRecord): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({ TableName: this.#table, Item: orderToItem(order), ConditionExpression: 'attribute_not_exists(id)' }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<OrderRecord | null> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#table, Key: { id }, ConsistentRead: true }));
    return Item === undefined ? null : orderFromItem(Item);
  }

  async listByOwner(owner: string, options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    const items: OrderRecord[] = [];
    let exclusiveStartKey: Item | undefined = options.startAfter === null ? undefined : { ...options.startAfter };
    // One item beyond the page tells whether another page exists.
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: ORDERS_BY_OWNER_INDEX,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          ScanIndexForward: false,
          Limit: options.limit + 1 - items.length,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(orderFromItem));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (items.length <= options.limit && exclusiveStartKey !== undefined);
    const pageItems = items.slice(0, options.limit);
    const last = pageItems.at(-1);
    return {
      items: pageItems,
      lastKey: items.length > options.limit && last !== undefined ? { id: last.id, owner: last.owner, createdAt: last.createdAt } : null,
    };
  }

  transition(id: string, from: readonly OrderStatus[], to: OrderStatus, at: string, changes: TransitionChanges = {}): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': to, ':at': at };
    const set = ['#status = :to', 'updatedAt = :at'];
    const remove: string[] = [];
    from.forEach((status, index) => {
      values[`:from${index}`] = status;
    });
    if (changes.payment !== undefined) {
      set.push('payment = :payment');
      values[':payment'] = paymentToItem(changes.payment);
    }
    if (changes.failure !== undefined) {
      names['#failure'] = 'failure';
      if (changes.failure === null) remove.push('#failure');
      else {
        set.push('#failure = :failure');
        values[':failure'] = withoutNulls({ ...changes.failure });
      }
    }
    return this.#conditional({
      TableName: this.#table,
      Key: { id },
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: `attribute_exists(id) AND #status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async recordPayment(id: string, payment: PaymentRecord, at: string): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { id },
        UpdateExpression: 'SET payment = :payment, updatedAt = :at',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':payment': paymentToItem(payment), ':at': at },
      }),
    );
  }

  markNotified(id: string, at: string): Promise<boolean> {
    return this.#conditional({
      TableName: this.#table,
      Key: { id },
      UpdateExpression: 'SET notifiedAt = :at, updatedAt = :at',
      ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(notifiedAt)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  awaitApproval(id: string, taskToken: string, at: string): Promise<boolean> {
    return this.#conditional(awaitApproval(this.#table, id, taskToken, at));
  }

  decideApproval(id: string, decision: ApprovalDecisionInput, at: string): Promise<boolean> {
    return this.#conditional(decideApproval(this.#table, id, decision, at));
  }

  listAwaitingApproval(options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    return listAwaitingApproval(this.#client, this.#table, options);
  }

  async #conditional(input: UpdateCommandInput): Promise<boolean> {
    try {
      await this.#client.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------------

export class DynamoDbInventory implements Inventory {
  readonly #client: DynamoDBDocumentClient;
  readonly #orders: string;
  readonly #products: string;

  constructor(options: OrdersTables) {
    this.#client = options.client;
    this.#orders = options.ordersTable;
    this.#products = options.productsTable;
  }

  async reserve(order: OrderRecord, at: string): Promise<ReserveOutcome> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.#orders,
                Key: { id: order.id },
                UpdateExpression: 'SET #status = :reserved, reservation = :reservation, updatedAt = :at',
                ConditionExpression: '#status = :paid',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':reserved': 'RESERVED', ':paid': 'PAID', ':reservation': { reservedAt: at }, ':at': at },
              },
            },
            ...order.items.map((line) => ({
              Update: {
                TableName: this.#products,
                Key: { sku: line.sku },
                UpdateExpression: 'SET stock = stock - :quantity',
                ConditionExpression: 'attribute_exists(sku) AND stock >= :quantity',
                ExpressionAttributeValues: { ':quantity': line.quantity },
              },
            })),
          ],
        }),
      );
      return { kind: 'RESERVED' };
    } catch (error) {
      const failed = conditionFailures(error);
      if (failed === null) throw error;
      if (failed.includes(0)) return { kind: 'ORDER_CHANGED' };
      return { kind: 'OUT_OF_STOCK', shortages: await this.#shortages(order.items, failed.map((index) => index - 1)) };
    }
  }

  async release(order: OrderRecord, at: string): Promise<ReleaseOutcome> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.#orders,
                Key: { id: order.id },
                UpdateExpression: 'SET reservation.releasedAt = :at, updatedAt = :at',
                ConditionExpression: 'attribute_exists(reservation) AND attribute_not_exists(reservation.releasedAt)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
            ...order.items.map((line) => ({
              Update: {
                TableName: this.#products,
                Key: { sku: line.sku },
                UpdateExpression: 'SET stock = stock + :quantity',
                // A withdrawn product keeps failing the release: better an operator than a
                // phantom product item holding the stock.
                ConditionExpression: 'attribute_exists(sku)',
                ExpressionAttributeValues: { ':quantity': line.quantity },
              },
            })),
          ],
        }),
      );
      return 'RELEASED';
    } catch (error) {
      const failed = conditionFailures(error);
      if (failed === null || !failed.includes(0)) throw error;
      const { Item } = await this.#client.send(
        new GetCommand({ TableName: this.#orders, Key: { id: order.id }, ConsistentRead: true }),
      );
      const reservation = Item?.['reservation'] as { releasedAt?: unknown } | undefined;
      return reservation === undefined ? 'NOT_RESERVED' : 'ALREADY_RELEASED';
    }
  }

  async #shortages(lines: readonly OrderLineRecord[], indexes: readonly number[]): Promise<Shortage[]> {
    const catalog = new DynamoDbProductCatalog({ client: this.#client, tableName: this.#products });
    const short = indexes.map((index) => lines[index]).filter((line): line is OrderLineRecord => line !== undefined);
    const products = await catalog.getMany(short.map((line) => line.sku));
    return short.map((line) => ({ sku: line.sku, requested: line.quantity, available: products.get(line.sku)?.stock ?? 0 }));
  }
}

/**
 * The indexes of the transaction's items whose condition failed, when the transaction was
 * cancelled for failed conditions only; null for any other error (conflicts, throttling: a
 * retry may succeed, so they are rethrown).
 */
function conditionFailures(error: unknown): number[] | null {
  const isCancelled =
    error instanceof TransactionCanceledException || (error instanceof Error && error.name === 'TransactionCanceledException');
  if (!isCancelled) return null;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const codes = reasons.map((reason) => reason.Code ?? 'None');
  if (!codes.includes('ConditionalCheckFailed') || codes.some((code) => code !== 'None' && code !== 'ConditionalCheckFailed')) {
    return null;
  }
  return codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

