/**
 * FileRepository on DynamoDB. Table: partition key `id` (S); GSI `byOwner`: partition key
 * `owner` (S), sort key `createdAt` (S), projection ALL. Records are stored as
 * ./dynamodb-file-items.ts writes them. The notify step's bookkeeping lives in attributes the
 * FileRecord does not show: `announcing` (the claim on an announcement, a map `{key, until}`)
 * and `announcedEvent` (the announcement whose FileEvent was published). Every transition is a
 * conditional write: one whose condition does not hold writes nothing and says so.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type DynamoDbTable, TableRepository, ifConditionHolds, readPage, withoutNulls } from '../../shared/dynamodb.js';
import { RETRIES_EXHAUSTED } from '../domain/errors.js';
import type { FileErrorRecord, FileListKey, FileRecord, RequiredStep, StepDetails } from '../domain/model.js';
import { REQUIRED_STEPS } from '../domain/model.js';
import type {
  AnnouncementClaim,
  AnnouncementRepository,
  BeginStepOutcome,
  FilePage,
  FileRepository,
  PipelineRepository,
} from '../domain/ports.js';
import { STEP_ATTRIBUTE, fileFromItem, fileToItem, listKeyOf } from './dynamodb-file-items.js';

export { CorruptFileRecordError, STEP_ATTRIBUTE } from './dynamodb-file-items.js';

export const BY_OWNER_INDEX = 'byOwner';

export type DynamoDbFileRepositoryOptions = DynamoDbTable;

export class DynamoDbFileRepository extends TableRepository implements FileRepository, PipelineRepository, AnnouncementRepository {
  async create(record: FileRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: fileToItem(record),
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async get(id: string): Promise<FileRecord | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }),
    );
    return Item === undefined ? null : fileFromItem(Item);
  }

  listByOwner(owner: string, options: { limit: number; startAfter?: FileListKey | null }): Promise<FilePage> {
    return readPage({
      limit: options.limit,
      startKey: options.startAfter == null ? undefined : { ...options.startAfter },
      fetch: (page) =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: BY_OWNER_INDEX,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
            ScanIndexForward: false,
            ...page,
          }),
        ),
      read: fileFromItem,
      keyOf: listKeyOf,
    });
  }

  async delete(id: string, owner: string): Promise<FileRecord | null> {
    const deleted = await ifConditionHolds(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { id },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return deleted?.Attributes === undefined ? null : fileFromItem(deleted.Attributes);
  }

  resetForReprocess(id: string, owner: string, correlationId: string, at: string, stuckBefore?: string): Promise<FileRecord | null> {
    return this.#update({
      TableName: this.table,
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
    });
  }

  async beginStep(id: string, step: RequiredStep, sequencer: string, at: string): Promise<BeginStepOutcome> {
    const begun = await ifConditionHolds(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
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
      ),
    );
    if (begun === null) return { started: false };
    const before = begun.Attributes?.[STEP_ATTRIBUTE[step]] as { status?: unknown } | undefined;
    return { started: true, first: before?.status !== 'RUNNING', reopened: begun.Attributes?.['status'] === 'FAILED' };
  }

  async recordStepError(id: string, step: RequiredStep, error: { name: string; message: string }, at: string): Promise<void> {
    await this.#transition({
      TableName: this.table,
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
      TableName: this.table,
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
      TableName: this.table,
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
      TableName: this.table,
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
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET quarantineKey = :key, updatedAt = :at',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeValues: { ':key': key, ':at': at },
    });
  }

  async claimAnnouncement(id: string, key: string, at: string, until: string): Promise<AnnouncementClaim> {
    const claimed = await ifConditionHolds(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
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
      ),
    );
    if (claimed !== null) return { claimed: true, eventPublished: claimed.Attributes?.['announcedEvent'] === key };
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    if (Item === undefined) return { claimed: false, reason: 'UNKNOWN_FILE' };
    return { claimed: false, reason: Item['notified'] === key ? 'ALREADY_NOTIFIED' : 'IN_PROGRESS' };
  }

  async recordAnnouncementEvent(id: string, key: string): Promise<void> {
    await this.#transition({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET announcedEvent = :key',
      ConditionExpression: 'attribute_exists(id)',
      ExpressionAttributeValues: { ':key': key },
    });
  }

  async releaseAnnouncement(id: string, key: string, until: string): Promise<void> {
    // Only the claim made with `until`: a later one (this claim lapsed) is another delivery's.
    await this.#transition({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'REMOVE announcing',
      ConditionExpression: 'announcing.#key = :key AND announcing.#until = :until',
      ExpressionAttributeNames: { '#key': 'key', '#until': 'until' },
      ExpressionAttributeValues: { ':key': key, ':until': until },
    });
  }

  markNotified(id: string, key: string, at: string): Promise<boolean> {
    return this.#transition({
      TableName: this.table,
      Key: { id },
      UpdateExpression: 'SET notified = :key, updatedAt = :at REMOVE announcing, announcedEvent',
      ConditionExpression: 'attribute_exists(id) AND (attribute_not_exists(notified) OR notified <> :key)',
      ExpressionAttributeValues: { ':key': key, ':at': at },
    });
  }

  /** A conditional update returning the record as updated; null when the condition did not hold (nothing was written). */
  async #update(input: UpdateCommandInput & { ReturnValues: 'ALL_NEW' }): Promise<FileRecord | null> {
    const updated = await ifConditionHolds(() => this.client.send(new UpdateCommand(input)));
    return updated?.Attributes === undefined ? null : fileFromItem(updated.Attributes);
  }

  /** A conditional update; false when the condition did not hold (nothing was written). */
  async #transition(input: UpdateCommandInput): Promise<boolean> {
    return (await ifConditionHolds(() => this.client.send(new UpdateCommand(input)))) !== null;
  }
}
