/**
 * FileRepository on DynamoDB. Table: partition key `id` (S); GSI `byOwner`: partition key
 * `owner` (S), sort key `createdAt` (S), projection ALL. Absent optional fields are not stored
 * (rather than stored as NULL) and read back as null. The notify step's bookkeeping lives in
 * attributes the FileRecord does not show: `announcing` (the claim on an announcement, a map
 * `{key, until}`) and `announcedEvent` (the announcement whose FileEvent was published).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
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
  RequiredStep,
  StepDetails,
  StepState,
  ThumbnailRecord,
} from '../domain/model.js';
import { FILE_STATUSES, REQUIRED_STEPS } from '../domain/model.js';
import type {
  AnnouncementClaim,
  AnnouncementRepository,
  BeginStepOutcome,
  FilePage,
  FileRepository,
  PipelineRepository,
} from '../domain/ports.js';
import { RETRIES_EXHAUSTED } from '../../shared/errors.js';

/** Each step's state is a top-level attribute (a nested path could not be SET on items without the parent map). */
export const STEP_ATTRIBUTE: Record<RequiredStep, string> = { PROCESS: 'stepProcess', THUMBNAIL: 'stepThumbnail' };

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

export class DynamoDbFileRepository implements FileRepository, PipelineRepository, AnnouncementRepository {
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

  async delete(id: string, owner: string): Promise<FileRecord | null> {
    try {
      const { Attributes } = await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { id },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes === undefined ? null : fromItem(Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }

  async resetForReprocess(id: string, owner: string, correlationId: string, at: string, stuckBefore?: string): Promise<FileRecord | null> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression:
            'SET #status = :processing, supersededSequencer = sequencer, correlationId = :cid, updatedAt = :at REMOVE sequencer, #error, notified, announcing, announcedEvent, #process, #thumbnail',
          ConditionExpression:
            '#owner = :owner AND attribute_not_exists(quarantineKey) AND attribute_exists(sequencer)' +
            ' AND (#status IN (:ready, :failed) OR (#status = :processing AND updatedAt < :stuckBefore))',
          ExpressionAttributeNames: {
            '#owner': 'owner',
            '#status': 'status',
            '#error': 'error',
            '#process': STEP_ATTRIBUTE.PROCESS,
            '#thumbnail': STEP_ATTRIBUTE.THUMBNAIL,
          },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':processing': 'PROCESSING',
            ':ready': 'READY',
            ':failed': 'FAILED',
            ':cid': correlationId,
            ':at': at,
            // No time sorts before '': without it, no PROCESSING file qualifies.
            ':stuckBefore': stuckBefore ?? '',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes === undefined ? null : fromItem(Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }

  async beginStep(id: string, step: RequiredStep, sequencer: string, at: string): Promise<BeginStepOutcome> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression: 'SET #status = :processing, sequencer = :seq, #step = :running, updatedAt = :at REMOVE #error',
          ConditionExpression:
            'attribute_exists(id) AND (attribute_not_exists(sequencer) OR sequencer = :seq)' +
            ' AND (attribute_not_exists(supersededSequencer) OR supersededSequencer <> :seq)' +
            ' AND ((#status IN (:pending, :processing) AND (attribute_not_exists(#step) OR #step.#st = :runningStatus))' +
            ' OR (#status = :failed AND #error.#code = :exhausted AND #error.#errorStep = :stepName))',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#step': STEP_ATTRIBUTE[step],
            '#st': 'status',
            '#error': 'error',
            '#code': 'code',
            '#errorStep': 'step',
          },
          ExpressionAttributeValues: {
            ':processing': 'PROCESSING',
            ':pending': 'PENDING_UPLOAD',
            ':failed': 'FAILED',
            ':exhausted': RETRIES_EXHAUSTED,
            ':stepName': step,
            ':seq': sequencer,
            ':running': { status: 'RUNNING', at },
            ':runningStatus': 'RUNNING',
            ':at': at,
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const before = Attributes?.[STEP_ATTRIBUTE[step]] as { status?: unknown } | undefined;
      return { started: true, first: before?.status !== 'RUNNING', reopened: Attributes?.['status'] === 'FAILED' };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { started: false };
      throw error;
    }
  }

  async recordStepError(id: string, step: RequiredStep, error: { name: string; message: string }, at: string): Promise<void> {
    await this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET #step.lastError = :error, updatedAt = :at',
      ConditionExpression: 'attribute_exists(#step)',
      ExpressionAttributeNames: { '#step': STEP_ATTRIBUTE[step] },
      ExpressionAttributeValues: { ':error': { name: error.name, message: error.message.slice(0, 1000) }, ':at': at },
    });
  }

  /** The record as updated (ALL_NEW), so the caller knows without another read whether every step is DONE. */
  async completeStep(id: string, sequencer: string, done: StepDetails, at: string): Promise<FileRecord | null> {
    const results =
      done.step === 'PROCESS'
        ? {
            expression: ', width = :width, height = :height, #format = :format, sha256 = :sha256, sanitizedKey = :sanitizedKey',
            names: { '#format': 'format' } as Record<string, string>,
            values: {
              ':width': done.details.width,
              ':height': done.details.height,
              ':format': done.details.format,
              ':sha256': done.details.sha256,
              ':sanitizedKey': done.details.sanitizedKey,
            },
          }
        : {
            expression: ', thumbnails = :thumbnails',
            names: {} as Record<string, string>,
            values: { ':thumbnails': done.details.thumbnails.map((t) => ({ ...t })) },
          };
    return this.#update({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: `SET #step = :done, updatedAt = :at${results.expression}`,
      ConditionExpression: '#status = :processing AND sequencer = :seq AND #step.#st = :running',
      ExpressionAttributeNames: { '#status': 'status', '#step': STEP_ATTRIBUTE[done.step], '#st': 'status', ...results.names },
      ExpressionAttributeValues: {
        ':done': { status: 'DONE', at },
        ':at': at,
        ':processing': 'PROCESSING',
        ':seq': sequencer,
        ':running': 'RUNNING',
        ...results.values,
      },
      ReturnValues: 'ALL_NEW',
    });
  }

  markReady(id: string, sequencer: string, at: string): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#st': 'status' };
    const conditions = REQUIRED_STEPS.map((step, index) => {
      names[`#s${index}`] = STEP_ATTRIBUTE[step];
      return `#s${index}.#st = :done`;
    });
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET #status = :ready, updatedAt = :at',
      ConditionExpression: `#status = :processing AND sequencer = :seq AND ${conditions.join(' AND ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':ready': 'READY', ':processing': 'PROCESSING', ':seq': sequencer, ':done': 'DONE', ':at': at },
    });
  }

  markFailed(id: string, sequencer: string | null, error: FileErrorRecord, at: string, quarantineKey?: string): Promise<boolean> {
    const step = REQUIRED_STEPS.find((s) => s === error.step);
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression:
        'SET #status = :failed, updatedAt = :at, #error = :error' +
        (sequencer === null ? '' : ', sequencer = :seq') +
        (step === undefined ? '' : ', #step = :stepFailed') +
        (quarantineKey === undefined ? '' : ', quarantineKey = :quarantineKey'),
      ConditionExpression:
        'attribute_exists(id) AND #status IN (:pending, :processing)' +
        (sequencer === null ? '' : ' AND (attribute_not_exists(sequencer) OR sequencer = :seq)'),
      ExpressionAttributeNames: {
        '#status': 'status',
        '#error': 'error',
        ...(step === undefined ? {} : { '#step': STEP_ATTRIBUTE[step] }),
      },
      ExpressionAttributeValues: {
        ':failed': 'FAILED',
        ':pending': 'PENDING_UPLOAD',
        ':processing': 'PROCESSING',
        ':at': at,
        ':error': withoutNulls({ ...error }),
        ...(sequencer === null ? {} : { ':seq': sequencer }),
        ...(step === undefined ? {} : { ':stepFailed': { status: 'FAILED', at } }),
        ...(quarantineKey === undefined ? {} : { ':quarantineKey': quarantineKey }),
      },
    });
  }

  async setQuarantine(id: string, key: string, at: string): Promise<void> {
    await this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET quarantineKey = :key, updatedAt = :at',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeValues: { ':key': key, ':at': at },
    });
  }

  async claimAnnouncement(id: string, key: string, at: string, until: string): Promise<AnnouncementClaim> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression: 'SET announcing = :claim',
          // ISO instants of one format order as strings do.
          ConditionExpression:
            'attribute_exists(id) AND (attribute_not_exists(notified) OR notified <> :key)' +
            ' AND (attribute_not_exists(announcing) OR announcing.#key <> :key OR announcing.#until <= :at)',
          ExpressionAttributeNames: { '#key': 'key', '#until': 'until' },
          ExpressionAttributeValues: { ':claim': { key, until }, ':key': key, ':at': at },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { claimed: true, eventPublished: Attributes?.['announcedEvent'] === key };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }));
    if (Item === undefined) return { claimed: false, reason: 'UNKNOWN_FILE' };
    return { claimed: false, reason: Item['notified'] === key ? 'ALREADY_NOTIFIED' : 'IN_PROGRESS' };
  }

  async recordAnnouncementEvent(id: string, key: string): Promise<void> {
    await this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET announcedEvent = :key',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeValues: { ':key': key },
    });
  }

  async releaseAnnouncement(id: string, key: string, until: string): Promise<void> {
    // Only the claim made with `until`: a later one (this claim lapsed) is another delivery's.
    await this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'REMOVE announcing',
      ConditionExpression: 'announcing.#key = :key AND announcing.#until = :until',
      ExpressionAttributeNames: { '#key': 'key', '#until': 'until' },
      ExpressionAttributeValues: { ':key': key, ':until': until },
    });
  }

  markNotified(id: string, key: string, at: string): Promise<boolean> {
    return this.#transition({
      TableName: this.#tableName,
      Key: { id },
      UpdateExpression: 'SET notified = :key, updatedAt = :at REMOVE announcing, announcedEvent',
      ConditionExpression: 'attribute_exists(id) AND (attribute_not_exists(notified) OR notified <> :key)',
      ExpressionAttributeValues: { ':key': key, ':at': at },
    });
  }

  /** A conditional update returning the record as updated; null when the condition did not hold (nothing was written). */
  async #update(input: UpdateCommandInput & { ReturnValues: 'ALL_NEW' }): Promise<FileRecord | null> {
    try {
      const { Attributes } = await this.#client.send(new UpdateCommand(input));
      return Attributes === undefined ? null : fromItem(Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
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
  const { steps, ...rest } = record;
  return withoutNulls({
    ...rest,
    ...Object.fromEntries(REQUIRED_STEPS.map((step) => [STEP_ATTRIBUTE[step], steps[step] ? { ...steps[step] } : null])),
    thumbnails: record.thumbnails.map((t) => ({ ...t })),
    error: record.error === null ? null : withoutNulls({ ...record.error }),
  });
}

function toStepState(value: unknown): StepState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Item;
  const status = v['status'];
  if (status !== 'RUNNING' && status !== 'DONE' && status !== 'FAILED') return undefined;
  const last = v['lastError'] as Item | undefined;
  return {
    status,
    at: typeof v['at'] === 'string' ? v['at'] : '',
    lastError:
      last && typeof last['name'] === 'string' && typeof last['message'] === 'string'
        ? { name: last['name'], message: last['message'] }
        : null,
  };
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
    correlationId: optStr(item['correlationId']),
    sequencer: optStr(item['sequencer']),
    supersededSequencer: optStr(item['supersededSequencer']),
    steps: Object.fromEntries(
      REQUIRED_STEPS.flatMap((step) => {
        const state = toStepState(item[STEP_ATTRIBUTE[step]]);
        return state === undefined ? [] : [[step, state]];
      }),
    ),
    sanitizedKey: optStr(item['sanitizedKey']),
    quarantineKey: optStr(item['quarantineKey']),
    notified: optStr(item['notified']),
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
