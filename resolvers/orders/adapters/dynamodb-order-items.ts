/**
 * Orders and products as DynamoDB items: absent optional fields are not stored and read back as
 * null; an item that is not a record of the expected kind is a CorruptOrderRecordError. And the
 * one shape of transaction over an order and the products of its lines.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Item, withoutNulls } from '../../shared/dynamodb.js';
import {
  ORDER_STATUSES,
  PAYMENT_STATUSES,
  type ApprovalDecision,
  type ApprovalRecord,
  type OrderFailureRecord,
  type OrderRecord,
  type OrderStatus,
  type OrderStep,
  type PaymentRecord,
  type ProductRecord,
} from '../domain/model.js';

/** A stored item that is not a record of the expected kind (hand-edited, or another version's). */
export class CorruptOrderRecordError extends Error {
  override name = 'CorruptOrderRecordError';
}


export const paymentToItem = (payment: PaymentRecord): Item => withoutNulls({ ...payment });

export function orderToItem(order: OrderRecord): Item {
  return withoutNulls({
    ...order,
    items: order.items.map((line) => ({ ...line })),
    payment: paymentToItem(order.payment),
    reservation: order.reservation === null ? null : withoutNulls({ ...order.reservation }),
    failure: order.failure === null ? null : withoutNulls({ ...order.failure }),
    approval: order.approval === null ? null : withoutNulls({ ...order.approval }),
  });
}

const reader = (item: Item, what: string) => {
  const str = (name: string, from: Item = item): string => {
    const value = from[name];
    if (typeof value !== 'string') throw new CorruptOrderRecordError(`${what}: attribute ${name} is not a string`);
    return value;
  };
  const num = (name: string, from: Item = item): number => {
    const value = from[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new CorruptOrderRecordError(`${what}: attribute ${name} is not a number`);
    return value;
  };
  const optStr = (name: string, from: Item = item): string | null => (typeof from[name] === 'string' ? (from[name] as string) : null);
  const map = (name: string): Item | null => {
    const value = item[name];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Item) : null;
  };
  return { str, num, optStr, map };
};

export function productFromItem(item: Item): ProductRecord {
  const { str, num, optStr } = reader(item, 'product');
  return {
    sku: str('sku'),
    name: str('name'),
    description: optStr('description'),
    priceCents: num('priceCents'),
    currency: str('currency'),
    stock: num('stock'),
  };
}

export function orderFromItem(item: Item): OrderRecord {
  const { str, num, optStr, map } = reader(item, `order ${String(item['id'])}`);
  const status = str('status');
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) throw new CorruptOrderRecordError(`order: status ${status} is unknown`);
  const rawItems = item['items'];
  if (!Array.isArray(rawItems)) throw new CorruptOrderRecordError('order: items is not a list');
  const payment = map('payment') ?? {};
  const paymentStatus = typeof payment['status'] === 'string' ? payment['status'] : 'NONE';
  if (!(PAYMENT_STATUSES as readonly string[]).includes(paymentStatus)) {
    throw new CorruptOrderRecordError(`order: payment status ${paymentStatus} is unknown`);
  }
  const reservation = map('reservation');
  const failure = map('failure');
  const approval = map('approval');
  return {
    id: str('id'),
    owner: str('owner'),
    clientToken: str('clientToken'),
    fingerprint: str('fingerprint'),
    status: status as OrderStatus,
    items: (rawItems as Item[]).map((line) => ({
      sku: str('sku', line),
      name: str('name', line),
      quantity: num('quantity', line),
      unitPriceCents: num('unitPriceCents', line),
    })),
    totalCents: num('totalCents'),
    currency: str('currency'),
    paymentId: str('paymentId'),
    payment: {
      status: paymentStatus as PaymentRecord['status'],
      reference: optStr('reference', payment),
      declineReason: optStr('declineReason', payment),
    },
    reservation: reservation === null ? null : { reservedAt: str('reservedAt', reservation), releasedAt: optStr('releasedAt', reservation) },
    failure:
      failure === null
        ? null
        : ({
            code: str('code', failure),
            message: str('message', failure),
            step: optStr('step', failure) as OrderStep | null,
          } satisfies OrderFailureRecord),
    notifiedAt: optStr('notifiedAt'),
    approval:
      approval === null
        ? null
        : ({
            taskToken: str('taskToken', approval),
            requestedAt: str('requestedAt', approval),
            decision: optStr('decision', approval) as ApprovalDecision | null,
            decidedBy: optStr('decidedBy', approval),
            note: optStr('note', approval),
            decidedAt: optStr('decidedAt', approval),
          } satisfies ApprovalRecord),
    saleRecordedAt: optStr('saleRecordedAt'),
    createdAt: str('createdAt'),
    updatedAt: str('updatedAt'),
  };
}

/** An update of one item of a transaction, without its table and key. */
export interface ItemUpdate {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>>;
  readonly ExpressionAttributeValues?: Readonly<Record<string, unknown>>;
}

export interface OrderTables {
  readonly ordersTable: string;
  readonly productsTable: string;
}

/**
 * One transaction: `orderUpdate` on the order's item (the transaction's item 0), then
 * `lineUpdate` on the product of each line, in the order's order, with `:quantity` the line's
 * quantity. All of it happens, or none.
 */
export function orderWithLines(
  tables: OrderTables,
  order: OrderRecord,
  orderUpdate: ItemUpdate,
  lineUpdate: Pick<ItemUpdate, 'UpdateExpression' | 'ConditionExpression'>,
): TransactWriteCommand {
  return new TransactWriteCommand({
    TransactItems: [
      { Update: { TableName: tables.ordersTable, Key: { id: order.id }, ...orderUpdate } },
      ...order.items.map((line) => ({
        Update: { TableName: tables.productsTable, Key: { sku: line.sku }, ...lineUpdate, ExpressionAttributeValues: { ':quantity': line.quantity } },
      })),
    ],
  });
}
