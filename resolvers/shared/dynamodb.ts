/**
 * What both domains' DynamoDB adapters do alike, in one place: read one page of a listing (the
 * paging loop), tell a refused condition from a failure (a conditional write, a transaction's
 * conditions), and leave absent values out of an item (absent optional fields are not stored,
 * rather than stored as NULL, and read back as null).
 */
import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;

/** One table through the document client: what a repository over it is built with. */
export interface DynamoDbTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A repository over one table. */
export abstract class TableRepository {
  protected readonly client: DynamoDBDocumentClient;
  protected readonly table: string;

  constructor(options: DynamoDbTable) {
    this.client = options.client;
    this.table = options.tableName;
  }
}

/** The value without its null and undefined attributes (one level deep). */
export function withoutNulls(value: Item): Item {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

/** Whether DynamoDB refused a write because its condition did not hold (nothing was written). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write: its result, or null when the condition did not hold. Any other failure is thrown. */
export async function ifConditionHolds<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (error) {
    if (isConditionalCheckFailed(error)) return null;
    throw error;
  }
}

/**
 * The cancellation reason codes of a cancelled transaction, one per item in the transaction's
 * order (`None` for an item that did not fail); null for any other error.
 */
export function cancellationCodes(error: unknown): string[] | null {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return null;
  const reasons = (error as { CancellationReasons?: readonly { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

/**
 * The indexes of the transaction's items whose condition failed, when the transaction was
 * cancelled for failed conditions only; null for any other error (conflicts, throttling: a
 * retry may succeed, so the caller rethrows them).
 */
export function conditionFailures(error: unknown): number[] | null {
  const codes = cancellationCodes(error);
  if (codes === null || !codes.includes('ConditionalCheckFailed') || codes.some((code) => code !== 'None' && code !== 'ConditionalCheckFailed')) {
    return null;
  }
  return codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
}

/** One page of a listing, and the key of its last item when more items follow (null on the last page). */
export interface ItemPage<T, K> {
  readonly items: T[];
  readonly lastKey: K | null;
}

export interface PageRequest<T, K> {
  readonly limit: number;
  /** Where the page starts (the previous page's last item's key, as DynamoDB wants it); undefined: at the start. */
  readonly startKey: Item | undefined;
  /** One Query or Scan from `ExclusiveStartKey` for at most `Limit` items. */
  readonly fetch: (page: { readonly ExclusiveStartKey: Item | undefined; readonly Limit: number }) => Promise<Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey'>>;
  /** An item as a record; null leaves it out of the page (an index that is only eventually consistent). */
  readonly read: (item: Item) => T | null;
  /** What a page token carries of the page's last record. */
  readonly keyOf: (last: T) => K;
}

/**
 * Reads up to `limit` records, and one more: the one beyond the page tells whether another page
 * exists, so the last page never comes back with a token that leads to an empty page. DynamoDB
 * may return fewer items than asked (its 1 MB limit, items left out by `read`): it asks again
 * from where the previous request stopped.
 */
export async function readPage<T, K>(request: PageRequest<T, K>): Promise<ItemPage<T, K>> {
  const { limit } = request;
  const records: T[] = [];
  let exclusiveStartKey = request.startKey;
  do {
    const page = await request.fetch({ ExclusiveStartKey: exclusiveStartKey, Limit: limit + 1 - records.length });
    for (const item of page.Items ?? []) {
      const record = request.read(item);
      if (record !== null) records.push(record);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (records.length <= limit && exclusiveStartKey !== undefined);
  const items = records.slice(0, limit);
  const last = items.at(-1);
  return { items, lastKey: records.length > limit && last !== undefined ? request.keyOf(last) : null };
}
