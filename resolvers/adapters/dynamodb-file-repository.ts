/**
 * FileRepository on DynamoDB. Table: partition key `id` (S); GSI `byOwner`: partition key
 * `owner` (S), sort key `createdAt` (S), projection ALL. Absent optional fields are not stored
 * (rather than stored as NULL) and read back as null.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  FileErrorRecord,
  FileListKey,
  FileRecord,
  FileStatus,
  ReadyDetails,
  ThumbnailRecord,
} from '../files/model.js';
import { FILE_STATUSES } from '../files/model.js';
import type { FilePage, FileRepository } from '../files/ports.js';

export const BY_OWNER_INDEX = 'byOwner';

export interface DynamoDbFileRepositoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A stored item that is not a file record (hand-edited, or written by another version). */
export class CorruptFileRecordError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CorruptFileRecordError';
  }
}

type Item = Record<string, unknown>;

export class DynamoDbFileRepository implements FileRepository {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoDbFileRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async create(record: FileRecord): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: toItem(record),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async get(id: string): Promise<FileRecord | null> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    return Item === undefined ? null : fromItem(Item);
  }

  async listByOwner(
    owner: string,
    options: { limit: number; startAfter?: FileListKey | null },
  ): Promise<FilePage> {
    const { limit } = options;
    const items: FileRecord[] = [];
    let exclusiveStartKey: Item | undefined =
      options.startAfter == null ? undefined : { ...options.startAfter };
    let more = true;
    // One item beyond the page tells whether another page exists (so the last page never
    // comes back with a token that leads to an empty page).
    while (items.length <= limit && more) {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: BY_OWNER_INDEX,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          ScanIndexForward: false,
          Limit: limit + 1 - items.length,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []).map(fromItem));
      exclusiveStartKey = page.LastEvaluatedKey;
      more = exclusiveStartKey !== undefined;
    }
    const pageItems = items.slice(0, limit);
    const last = pageItems.at(-1);
    const hasMore = items.length > limit;
    return {
      items: pageItems,
      lastKey: hasMore && last !== undefined ? listKey(last) : null,
    };
  }

  markProcessing(id: string, at: string): Promise<boolean> {
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET #status = :to, updatedAt = :at',
      ConditionExpression: 'attribute_exists(id) AND #status IN (:pending, :processing)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': 'PROCESSING',
        ':at': at,
        ':pending': 'PENDING_UPLOAD',
        ':processing': 'PROCESSING',
      },
    });
  }

  markReady(id: string, details: ReadyDetails, at: string): Promise<boolean> {
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression:
        'SET #status = :to, updatedAt = :at, width = :width, height = :height, #format = :format, sha256 = :sha256, thumbnails = :thumbnails REMOVE #error',
      ConditionExpression: 'attribute_exists(id) AND #status = :processing',
      ExpressionAttributeNames: { '#status': 'status', '#format': 'format', '#error': 'error' },
      ExpressionAttributeValues: {
        ':to': 'READY',
        ':at': at,
        ':processing': 'PROCESSING',
        ':width': details.width,
        ':height': details.height,
        ':format': details.format,
        ':sha256': details.sha256,
        ':thumbnails': details.thumbnails.map((t) => ({ ...t })),
      },
    });
  }

  markFailed(id: string, error: FileErrorRecord, at: string): Promise<boolean> {
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET #status = :to, updatedAt = :at, #error = :error',
      ConditionExpression: 'attribute_exists(id) AND #status = :processing',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':to': 'FAILED',
        ':at': at,
        ':processing': 'PROCESSING',
        ':error': withoutNulls({ ...error }),
      },
    });
  }

  /** A conditional update; false when the condition did not hold (nothing was written). */
  async #transition(input: UpdateCommandInput): Promise<boolean> {
    try {
      await this.#client.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function listKey(record: FileRecord): FileListKey {
  return { id: record.id, owner: record.owner, createdAt: record.createdAt };
}

function withoutNulls(value: Item): Item {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

function toItem(record: FileRecord): Item {
  return withoutNulls({
    ...record,
    thumbnails: record.thumbnails.map((t) => ({ ...t })),
    error: record.error === null ? null : withoutNulls({ ...record.error }),
  });
}

function fromItem(item: Item): FileRecord {
  const str = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new CorruptFileRecordError(`Item attribute ${name} is not a string`);
    return value;
  };
  const optStr = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const optNum = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  const status = str('status');
  if (!(FILE_STATUSES as readonly string[]).includes(status)) {
    throw new CorruptFileRecordError(`Item status ${status} is not a file status`);
  }
  const size = item['size'];
  if (typeof size !== 'number') throw new CorruptFileRecordError('Item attribute size is not a number');
  return {
    id: str('id'),
    owner: str('owner'),
    fileName: str('fileName'),
    contentType: str('contentType'),
    size,
    status: status as FileStatus,
    objectKey: str('objectKey'),
    width: optNum(item['width']),
    height: optNum(item['height']),
    format: optStr(item['format']),
    sha256: optStr(item['sha256']),
    thumbnails: Array.isArray(item['thumbnails']) ? item['thumbnails'].map(toThumbnail) : [],
    error: toFileError(item['error']),
    createdAt: str('createdAt'),
    updatedAt: str('updatedAt'),
  };
}

function toThumbnail(value: unknown): ThumbnailRecord {
  const t = (value ?? {}) as Item;
  if (
    typeof t['key'] !== 'string' ||
    typeof t['width'] !== 'number' ||
    typeof t['height'] !== 'number' ||
    typeof t['format'] !== 'string'
  ) {
    throw new CorruptFileRecordError('Item thumbnail is malformed');
  }
  return { key: t['key'], width: t['width'], height: t['height'], format: t['format'] };
}

function toFileError(value: unknown): FileErrorRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Item;
  return {
    code: typeof e['code'] === 'string' ? e['code'] : 'UNKNOWN',
    message: typeof e['message'] === 'string' ? e['message'] : '',
    step: typeof e['step'] === 'string' ? e['step'] : null,
  };
}
