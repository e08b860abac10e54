/**
 * The orders domain's storage on DynamoDB:
 * - products table: partition key `sku` (S); `stock` is a number the reservations lower;
 * - orders table: partition key `id` (S); GSI `byOwner`: `owner` (S), `createdAt` (S), ALL.
 *
 * Inventory writes both tables in one transaction, so an order's reservation and the stock it
 * claims (or gives back) change together or not at all. Absent optional fields are not stored
 * and read back as null.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Item, TableRepository, conditionFailures, ifConditionHolds, readPage, withoutNulls } from '../../shared/dynamodb.js';
import type { Shortage } from '../domain/errors.js';
import type { OrderLineRecord, OrderListKey, OrderRecord, OrderStatus, PaymentRecord, ProductRecord } from '../domain/model.js';
import { type OrderTables, orderFromItem, orderToItem, orderWithLines, paymentToItem, productFromItem } from './dynamodb-order-items.js';
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

export interface OrdersTables extends OrderTables {
  readonly client: DynamoDBDocumentClient;
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

export class DynamoDbProductCatalog extends TableRepository implements ProductCatalog {
  async getMany(skus: readonly string[]): Promise<ReadonlyMap<string, ProductRecord>> {
    const found = new Map<string, ProductRecord>();
    const unique = [...new Set(skus)];
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Item[] | undefined = unique.slice(start, start + 100).map((sku) => ({ sku }));
      // BatchGet may leave keys unprocessed under load; ask again for those.
      for (let round = 0; keys !== undefined && keys.length > 0; round += 1) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.table] ?? []) {
          const product = productFromItem(item);
          found.set(product.sku, product);
        }
        keys = result.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined;
      }
    }
    return found;
  }

  /** In the table's own order (DynamoDB scans by hash): stable across pages. */
  list(options: { limit: number; startAfter: string | null }): Promise<Page<ProductRecord, string>> {
    return readPage({
      limit: options.limit,
      startKey: options.startAfter === null ? undefined : { sku: options.startAfter },
      fetch: (page) => this.client.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ...page })),
      read: productFromItem,
      keyOf: (last) => last.sku,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

export class DynamoDbOrderRepository extends TableRepository implements OrderRepository {
  async create(order: OrderRecord): Promise<boolean> {
    const put = new PutCommand({ TableName: this.table, Item: orderToItem(order), ConditionExpression: 'attribute_not_exists(id)' });
    return (await ifConditionHolds(() => this.client.send(put))) !== null;
  }

  async get(id: string): Promise<OrderRecord | null> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return Item === undefined ? null : orderFromItem(Item);
  }

  listByOwner(owner: string, options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    return readPage({
      limit: options.limit,
      startKey: options.startAfter === null ? undefined : { ...options.startAfter },
      fetch: (page) =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: ORDERS_BY_OWNER_INDEX,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
            ScanIndexForward: false,
            ...page,
          }),
        ),
      read: orderFromItem,
      keyOf: (last) => ({ id: last.id, owner: last.owner, createdAt: last.createdAt }),
    });
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
      TableName: this.table,
      Key: { id },
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: `attribute_exists(id) AND #status IN (${from.map((_, index) => `:from${index}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async recordPayment(id: string, payment: PaymentRecord, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: 'SET payment = :payment, updatedAt = :at',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':payment': paymentToItem(payment), ':at': at },
      }),
    );
  }

  markNotified(id: string, at: string): Promise<boolean> {
    return this.#conditional({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET notifiedAt = :at, updatedAt = :at',
      ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(notifiedAt)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  awaitApproval(id: string, taskToken: string, at: string): Promise<boolean> {
    return this.#conditional(awaitApproval(this.table, id, taskToken, at));
  }

  decideApproval(id: string, decision: ApprovalDecisionInput, at: string): Promise<boolean> {
    return this.#conditional(decideApproval(this.table, id, decision, at));
  }

  listAwaitingApproval(options: { limit: number; startAfter: OrderListKey | null }): Promise<Page<OrderRecord, OrderListKey>> {
    return listAwaitingApproval(this.client, this.table, options);
  }

  async #conditional(input: UpdateCommandInput): Promise<boolean> {
    return (await ifConditionHolds(() => this.client.send(new UpdateCommand(input)))) !== null;
  }
}

// ---------------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------------

export class DynamoDbInventory implements Inventory {
  readonly #client: DynamoDBDocumentClient;
  readonly #tables: OrderTables;

  constructor(options: OrdersTables) {
    this.#client = options.client;
    this.#tables = options;
  }

  async reserve(order: OrderRecord, at: string): Promise<ReserveOutcome> {
    const reservation = orderWithLines(
      this.#tables,
      order,
      {
        UpdateExpression: 'SET #status = :reserved, reservation = :reservation, updatedAt = :at',
        ConditionExpression: '#status = :paid',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':reserved': 'RESERVED', ':paid': 'PAID', ':reservation': { reservedAt: at }, ':at': at },
      },
      { UpdateExpression: 'SET stock = stock - :quantity', ConditionExpression: 'attribute_exists(sku) AND stock >= :quantity' },
    );
    try {
      await this.#client.send(reservation);
      return { kind: 'RESERVED' };
    } catch (error) {
      const failed = conditionFailures(error);
      if (failed === null) throw error;
      if (failed.includes(0)) return { kind: 'ORDER_CHANGED' };
      return { kind: 'OUT_OF_STOCK', shortages: await this.#shortages(order.items, failed.map((index) => index - 1)) };
    }
  }

  async release(order: OrderRecord, at: string): Promise<ReleaseOutcome> {
    const release = orderWithLines(
      this.#tables,
      order,
      {
        UpdateExpression: 'SET reservation.releasedAt = :at, updatedAt = :at',
        ConditionExpression: 'attribute_exists(reservation) AND attribute_not_exists(reservation.releasedAt)',
        ExpressionAttributeValues: { ':at': at },
      },
      // A withdrawn product keeps failing the release: better an operator than a phantom product
      // item holding the stock.
      { UpdateExpression: 'SET stock = stock + :quantity', ConditionExpression: 'attribute_exists(sku)' },
    );
    try {
      await this.#client.send(release);
      return 'RELEASED';
    } catch (error) {
      const failed = conditionFailures(error);
      if (failed === null || !failed.includes(0)) throw error;
      const { Item } = await this.#client.send(
        new GetCommand({ TableName: this.#tables.ordersTable, Key: { id: order.id }, ConsistentRead: true }),
      );
      const reservation = Item?.['reservation'] as { releasedAt?: unknown } | undefined;
      return reservation === undefined ? 'NOT_RESERVED' : 'ALREADY_RELEASED';
    }
  }

  async #shortages(lines: readonly OrderLineRecord[], indexes: readonly number[]): Promise<Shortage[]> {
    const catalog = new DynamoDbProductCatalog({ client: this.#client, tableName: this.#tables.productsTable });
    const short = indexes.map((index) => lines[index]).filter((line): line is OrderLineRecord => line !== undefined);
    const products = await catalog.getMany(short.map((line) => line.sku));
    return short.map((line) => ({ sku: line.sku, requested: line.quantity, available: products.get(line.sku)?.stock ?? 0 }));
  }
}
