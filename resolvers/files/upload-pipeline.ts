/**
 * What happens after the client's PUT: the upload is inspected, thumbnailed and the record
 * moved PENDING_UPLOAD -> PROCESSING -> READY | FAILED, with an event published at each step.
 *
 * Safe to run more than once for the same object (S3 delivers at least once; Lambda retries
 * async invocations): the status transitions are conditional, so a duplicate of a finished
 * upload changes nothing, and a retry of an interrupted one starts again from PROCESSING.
 *
 * Permanent failures (ProcessingError) end the file as FAILED with the error's code. Anything
 * else (network, throttling, a storage outage) is rethrown so the invocation fails and is retried.
 */
import type { FileStatus, FileStep } from '../generated/graphql.js';
import { ProcessingError } from '../shared/errors.js';
import { THUMBNAIL_SIZE, parseOriginalKey, thumbnailKey } from './keys.js';
import type { FileRecord } from './model.js';
import type { Clock, FileEventPublisher, FileRepository, ObjectStore } from './ports.js';
import { processImage } from './image-inspection.js';

export interface PipelineLog {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface UploadPipelineDeps {
  readonly repository: FileRepository;
  readonly objectStore: ObjectStore;
  readonly publisher: FileEventPublisher;
  readonly clock: Clock;
  readonly log: PipelineLog;
  /** Defaults to processImage (sharp). */
  readonly processImage?: typeof processImage;
}

export type PipelineOutcome =
  | { readonly outcome: 'READY'; readonly fileId: string }
  | { readonly outcome: 'FAILED'; readonly fileId: string; readonly code: string }
  | {
      readonly outcome: 'SKIPPED';
      readonly reason: 'NOT_AN_UPLOAD' | 'UNKNOWN_FILE' | 'OWNER_MISMATCH' | 'ALREADY_PROCESSED';
    };

const STEP: FileStep = 'PROCESS';

export class UploadPipeline {
  readonly #deps: UploadPipelineDeps;
  readonly #processImage: typeof processImage;

  constructor(deps: UploadPipelineDeps) {
    this.#deps = deps;
    this.#processImage = deps.processImage ?? processImage;
  }

  /** Processes the object at `key` (already URL-decoded). */
  async process(key: string): Promise<PipelineOutcome> {
    const { repository, log } = this.#deps;
    const parsed = parseOriginalKey(key);
    if (parsed === null) {
      log.info('Ignoring an object that is not an original upload', { key });
      return { outcome: 'SKIPPED', reason: 'NOT_AN_UPLOAD' };
    }
    const record = await repository.get(parsed.fileId);
    if (record === null) {
      log.warn('No file record for the uploaded object; skipping', { key });
      return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
    }
    if (record.owner !== parsed.owner || record.objectKey !== key) {
      log.warn('The object key does not match the file record; skipping', { key, fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'OWNER_MISMATCH' };
    }
    if (!(await repository.markProcessing(record.id, this.#now()))) {
      log.info('File already processed; duplicate event ignored', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' };
    }
    await this.#publish(record, 'PROCESSING', null);

    try {
      return await this.#processRecord(record);
    } catch (error) {
      if (!(error instanceof ProcessingError)) throw error; // transient: let Lambda retry
      return this.#fail(record, error);
    }
  }

  async #processRecord(record: FileRecord): Promise<PipelineOutcome> {
    const { repository, objectStore, log } = this.#deps;
    const bytes = await objectStore.getObject(record.objectKey, { maxBytes: record.size });
    const { info, thumbnail } = await this.#processImage(bytes, record.size);
    const key = thumbnailKey(record.owner, record.id);
    await objectStore.putObject({ key, body: thumbnail.bytes, contentType: thumbnail.contentType });
    const done = await repository.markReady(
      record.id,
      {
        width: info.width,
        height: info.height,
        format: info.format,
        sha256: info.sha256,
        thumbnails: [{ key, width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, format: thumbnail.format }],
      },
      this.#now(),
    );
    if (!done) {
      log.info('File finished by another invocation', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' };
    }
    log.info('File ready', { fileId: record.id, format: info.format });
    await this.#publish(record, 'READY', null);
    return { outcome: 'READY', fileId: record.id };
  }

  async #fail(record: FileRecord, error: ProcessingError): Promise<PipelineOutcome> {
    const { repository, log } = this.#deps;
    log.warn('File rejected', { fileId: record.id, code: error.code, error });
    const done = await repository.markFailed(
      record.id,
      { code: error.code, message: error.message, step: STEP },
      this.#now(),
    );
    if (!done) {
      log.info('File finished by another invocation', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' };
    }
    await this.#publish(record, 'FAILED', error.message);
    return { outcome: 'FAILED', fileId: record.id, code: error.code };
  }

  /**
   * Notifications are best effort: the record is the truth (clients can query it), and a
   * retry after a committed transition could not publish again anyway. A failed publish is
   * logged as an error and does not fail the processing.
   */
  async #publish(record: FileRecord, status: FileStatus, message: string | null): Promise<void> {
    try {
      await this.#deps.publisher.publish({ fileId: record.id, owner: record.owner, status, step: STEP, message });
    } catch (error) {
      this.#deps.log.error('Could not publish the file event', { fileId: record.id, status, error });
    }
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }
}
