/** In-memory ports for the pipeline's tests, beyond the shared ones in ../resolvers/helpers/fakes.ts. */
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { SQSRecord } from 'aws-lambda';
import type { FileErrorRecord } from '../../../resolvers/files/domain/model.js';
import { PipelineSteps } from '../../../resolvers/files/domain/pipeline-steps.js';
import type { AnnouncementClaim, AnnouncementRepository } from '../../../resolvers/files/domain/ports.js';
import type { StepRuntime } from '../../../resolvers/files/handlers/pipeline-step.js';
import {
  FixedClock,
  InMemoryFileRepository,
  InMemoryObjectStore,
  RecordingPublisher,
  RecordingStatusPublisher,
} from '../resolvers/helpers/fakes.js';

/** An SQS record as Lambda hands it to a function, delivered once. */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `${messageId}-handle`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:queue',
    awsRegion: 'eu-west-1',
  };
}

/** What a step function's handler runs on, over in-memory ports: one 200x200 JPEG thumbnail. */
export function inMemoryStepRuntime(bucket: string, repository: AnnouncingFileRepository, objectStore: InMemoryObjectStore): StepRuntime {
  return {
    bucket,
    repository,
    persistence: new InMemoryPersistenceLayer(),
    steps: new PipelineSteps({
      repository,
      objectStore,
      events: new RecordingPublisher(),
      status: new RecordingStatusPublisher(),
      clock: new FixedClock(),
      thumbnails: { sizes: [{ width: 200, height: 200 }], formats: ['jpeg'] },
    }),
  };
}

type FailingMethod = 'markNotified' | 'releaseAnnouncement' | 'recordAnnouncementEvent' | 'markFailed';

/** The files table with the notify step's two-phase announcement records, as DynamoDB keeps them. */
export class AnnouncingFileRepository extends InMemoryFileRepository implements AnnouncementRepository {
  readonly claims = new Map<string, { key: string; until: string }>();
  readonly announcedEvents = new Map<string, string>();
  /** Make the next calls of a method fail with this error (each entry is used once). */
  readonly failures: Partial<Record<FailingMethod, Error[]>> = {};

  async claimAnnouncement(id: string, key: string, at: string, until: string): Promise<AnnouncementClaim> {
    const record = this.records.get(id);
    if (record === undefined) return { claimed: false, reason: 'UNKNOWN_FILE' };
    if (record.notified === key) return { claimed: false, reason: 'ALREADY_NOTIFIED' };
    const claim = this.claims.get(id);
    if (claim !== undefined && claim.key === key && claim.until > at) return { claimed: false, reason: 'IN_PROGRESS' };
    this.claims.set(id, { key, until });
    return { claimed: true, eventPublished: this.announcedEvents.get(id) === key };
  }

  async recordAnnouncementEvent(id: string, key: string): Promise<void> {
    this.#maybeFail('recordAnnouncementEvent');
    if (this.records.has(id)) this.announcedEvents.set(id, key);
  }

  async releaseAnnouncement(id: string, key: string, until: string): Promise<void> {
    this.#maybeFail('releaseAnnouncement');
    const claim = this.claims.get(id);
    if (claim?.key === key && claim.until === until) this.claims.delete(id);
  }

  override async markNotified(id: string, key: string, at: string): Promise<boolean> {
    this.#maybeFail('markNotified');
    const changed = await super.markNotified(id, key, at);
    if (changed) {
      this.claims.delete(id);
      this.announcedEvents.delete(id);
    }
    return changed;
  }

  override async markFailed(id: string, sequencer: string | null, error: FileErrorRecord, at: string, quarantineKey?: string): Promise<boolean> {
    this.#maybeFail('markFailed');
    return super.markFailed(id, sequencer, error, at, quarantineKey);
  }

  #maybeFail(method: FailingMethod): void {
    const error = this.failures[method]?.shift();
    if (error !== undefined) throw error;
  }
}

/** The uploads bucket, counting copies (what "the original is copied to quarantine once" counts). */
export class CountingObjectStore extends InMemoryObjectStore {
  readonly copies: { from: string; to: string }[] = [];

  override async copyObject(request: { from: string; to: string; metadata?: Readonly<Record<string, string>> }): Promise<void> {
    await super.copyObject(request);
    this.copies.push({ from: request.from, to: request.to });
  }
}

/** Powertools idempotency records in memory, with the DynamoDB layer's put condition. */
export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (record === undefined) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const now = Date.now();
    const usable =
      existing === undefined ||
      existing.expiryTimestamp === undefined ||
      existing.expiryTimestamp * 1000 < now ||
      (existing.getStatus() === 'INPROGRESS' && existing.inProgressExpiryTimestamp !== undefined && existing.inProgressExpiryTimestamp < now);
    if (!usable) throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}
