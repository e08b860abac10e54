/**
 * Approvals and sales on the orders and products tables:
 * - an order waiting for an approval carries `approvalQueue = PENDING`, the partition key of the
 *   sparse GSI `awaitingApproval` (`approvalQueue`, `createdAt`): the approvers' queue holds
 *   exactly the waiting orders, and a decision removes the attribute;
 * - a sale adds each line's quantity to its product's `sold` counter with ADD, in one
 *   transaction with a conditional mark on the order, so it counts once.
 */
import { type DynamoDBDocumentClient, QueryCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, readPage } from '../../shared/dynamodb.js';
import type { OrderListKey, OrderRecord } from '../domain/model.js';
import type { ApprovalDecisionInput, Page, SaleOutcome, SalesLedger } from '../domain/ports.js';
import { type OrderTables, orderFromItem, orderWithLines } from './dynamodb-order-items.js';

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

export function listAwaitingApproval(
  client: DynamoDBDocumentClient,
  table: string,
  options: { limit: number; startAfter: OrderListKey | null },
): Promise<Page<OrderRecord, OrderListKey>> {
  return readPage({
    limit: options.limit,
    startKey: options.startAfter === null ? undefined : { id: options.startAfter.id, createdAt: options.startAfter.createdAt, approvalQueue: QUEUE },
    fetch: (page) =>
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: AWAITING_APPROVAL_INDEX,
          KeyConditionExpression: 'approvalQueue = :queue',
          ExpressionAttributeValues: { ':queue': QUEUE },
          ...page,
        }),
      ),
    // The index is eventually consistent: an order decided a moment ago may still be in it.
    read: (item) => {
      const order = orderFromItem(item);
      return order.status === 'AWAITING_APPROVAL' ? order : null;
    },
    keyOf: (last) => ({ id: last.id, owner: QUEUE, createdAt: last.createdAt }),
  });
}

export class DynamoDbSalesLedger implements SalesLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tables: OrderTables;

  constructor(options: OrderTables & { client: DynamoDBDocumentClient }) {
    this.#client = options.client;
    this.#tables = options;
  }

  async recordSale(order: OrderRecord, at: string): Promise<SaleOutcome> {
    const sale = orderWithLines(
      this.#tables,
      order,
      {
        UpdateExpression: 'SET saleRecordedAt = :at',
        ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(saleRecordedAt)',
        ExpressionAttributeValues: { ':at': at },
      },
      { UpdateExpression: 'ADD sold :quantity', ConditionExpression: 'attribute_exists(sku)' },
    );
    try {
      await this.#client.send(sale);
      return 'RECORDED';
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return 'ALREADY_RECORDED';
      throw error;
    }
  }
}
