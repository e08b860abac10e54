/**
 * Approvals and sales on the orders and products tables:
 * - an order waiting for an approval carries `approvalQueue = PENDING`, the partition key of the
 *   sparse GSI `awaitingApproval` (`approvalQueue`, `createdAt`): the approvers' queue holds
 *   exactly the waiting orders, and a decision removes the attribute;
 * - a sale adds each line's quantity to its product's `sold` counter with ADD, in one
 *   transaction with a conditional mark on the order, so it counts once.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { OrderListKey, OrderRecord } from '../domain/model.js';
import type { ApprovalDecisionInput, Page, SaleOutcome, SalesLedger } from '../domain/ports.js';
import { orderFromItem } from './dynamodb-order-items.js';

export const AWAITING_APPROVAL_INDEX = 'awaitingApproval';
const QUEUE = 'PENDING';

export function awaitApproval(table: string, id: string, taskToken: string, at: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: { id },
    UpdateExpression: 'SET #status = :awaiting, approval = :approval, approvalQueue = :queue, updatedAt = :at',
    ConditionExpression: 'attribute_exists(id) AND (#status = :validated OR (#status = :awaiting AND attribute_not_exists(approval.decision)))',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':awaiting': 'AWAITING_APPROVAL',
      ':validated': 'VALIDATED',
      ':approval': { taskToken, requestedAt: at },
      ':queue': QUEUE,
      ':at': at,
    },
  };
}

export function decideApproval(table: string, id: string, decision: ApprovalDecisionInput, at: string): UpdateCommandInput {
  const set = ['approval.decision = :decision', 'approval.decidedBy = :by', 'approval.decidedAt = :at', 'updatedAt = :at'];
  const values: Record<string, unknown> = { ':decision': decision.decision, ':by': decision.decidedBy, ':at': at, ':awaiting': 'AWAITING_APPROVAL' };
  if (decision.note !== null) {
    set.push('approval.note = :note');
    values[':note'] = decision.note;
  }
  if (decision.decision === 'APPROVED') {
    set.push('#status = :approved');
    values[':approved'] = 'APPROVED';
  }
  return {
    TableName: table,
    Key: { id },
    UpdateExpression: `SET ${set.join(', ')} REMOVE approvalQueue`,
    ConditionExpression: '#status = :awaiting AND attribute_exists(approval) AND attribute_not_exists(approval.decision)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

export async function listAwaitingApproval(
  client: DynamoDBDocumentClient,
  table: string,
  options: { limit: number; startAfter: OrderListKey | null },
): Promise<Page<OrderRecord, OrderListKey>> {
  const items: OrderRecord[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined =
    options.startAfter === null ? undefined : { id: options.startAfter.id, createdAt: options.startAfter.createdAt, approvalQueue: QUEUE };
  let more = false;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: AWAITING_APPROVAL_INDEX,
        KeyConditionExpression: 'approvalQueue = :queue',
        ExpressionAttributeValues: { ':queue': QUEUE },
        Limit: options.limit + 1 - items.length,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    // The index is eventually consistent: an order decided a moment ago may still be in it.
    items.push(...(page.Items ?? []).map(orderFromItem).filter((order) => order.status === 'AWAITING_APPROVAL'));
    exclusiveStartKey = page.LastEvaluatedKey;
    more = exclusiveStartKey !== undefined;
  } while (items.length <= options.limit && more);
  const pageItems = items.slice(0, options.limit);
  const last = pageItems.at(-1);
  return {
    items: pageItems,
    lastKey: items.length > options.limit && last !== undefined ? { id: last.id, owner: QUEUE, createdAt: last.createdAt } : null,
  };
}

export class DynamoDbSalesLedger implements SalesLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #orders: string;
  readonly #products: string;

  constructor(options: { client: DynamoDBDocumentClient; ordersTable: string; productsTable: string }) {
    this.#client = options.client;
    this.#orders = options.ordersTable;
    this.#products = options.productsTable;
  }

  async recordSale(order: OrderRecord, at: string): Promise<SaleOutcome> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.#orders,
                Key: { id: order.id },
                UpdateExpression: 'SET saleRecordedAt = :at',
                ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(saleRecordedAt)',
                ExpressionAttributeValues: { ':at': at },
              },
            },
            ...order.items.map((line) => ({
              Update: {
                TableName: this.#products,
                Key: { sku: line.sku },
                UpdateExpression: 'ADD sold :quantity',
                ConditionExpression: 'attribute_exists(sku)',
                ExpressionAttributeValues: { ':quantity': line.quantity },
              },
            })),
          ],
        }),
      );
      return 'RECORDED';
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'ALREADY_RECORDED';
      throw error;
    }
  }
}
