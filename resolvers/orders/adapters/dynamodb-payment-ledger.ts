/**
 * The payment simulator's ledger on DynamoDB. Table: partition key `orderId` (S), sort key
 * `entry` (S): `INTENT` (the token a placed order pays with, as a provider keeps it), `CHARGE`,
 * `REFUND`, `DECLINE` (at most one each, by conditional put) and
 * `ATTEMPTS` (counters the simulator's fail-once tokens read).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TableRepository, ifConditionHolds } from '../../shared/dynamodb.js';
import type {
  ChargeEntry,
  DeclineEntry,
  IntentEntry,
  LedgerEntries,
  Recorded,
  RefundEntry,
  SimulatorLedger,
} from '../domain/payment-simulator.js';

type Entry = 'INTENT' | 'CHARGE' | 'REFUND' | 'DECLINE';

export class DynamoDbPaymentLedger extends TableRepository implements SimulatorLedger {
  async entries(orderId: string): Promise<LedgerEntries> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'orderId = :orderId',
        ExpressionAttributeValues: { ':orderId': orderId },
        ConsistentRead: true,
      }),
    );
    const find = (entry: Entry) => Items.find((item) => item['entry'] === entry);
    const intent = find('INTENT');
    const charge = find('CHARGE');
    const refund = find('REFUND');
    const decline = find('DECLINE');
    return {
      intent: intent === undefined ? null : (strip(intent) as unknown as IntentEntry),
      charge: charge === undefined ? null : (strip(charge) as unknown as ChargeEntry),
      refund: refund === undefined ? null : (strip(refund) as unknown as RefundEntry),
      decline: decline === undefined ? null : (strip(decline) as unknown as DeclineEntry),
    };
  }

  async countAttempt(orderId: string, kind: 'charge' | 'refund'): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { orderId, entry: 'ATTEMPTS' },
        UpdateExpression: 'ADD #kind :one',
        ExpressionAttributeNames: { '#kind': kind },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.[kind] ?? 1);
  }

  recordIntent(entry: IntentEntry): Promise<Recorded<IntentEntry>> {
    return this.#putOnce('INTENT', entry);
  }

  recordCharge(entry: ChargeEntry): Promise<Recorded<ChargeEntry>> {
    return this.#putOnce('CHARGE', entry);
  }

  recordDecline(entry: DeclineEntry): Promise<Recorded<DeclineEntry>> {
    return this.#putOnce('DECLINE', entry);
  }

  recordRefund(entry: RefundEntry): Promise<Recorded<RefundEntry>> {
    return this.#putOnce('REFUND', entry);
  }

  async #putOnce<T extends { orderId: string }>(entry: Entry, value: T): Promise<Recorded<T>> {
    const put = new PutCommand({ TableName: this.table, Item: { ...value, entry }, ConditionExpression: 'attribute_not_exists(orderId)' });
    if ((await ifConditionHolds(() => this.client.send(put))) !== null) return { entry: value, created: true };
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { orderId: value.orderId, entry }, ConsistentRead: true }),
    );
    if (Item === undefined) throw new Error(`Ledger entry ${entry} of ${value.orderId} vanished`);
    return { entry: strip(Item) as unknown as T, created: false };
  }
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { entry: _entry, ...rest } = item;
  return rest;
}
