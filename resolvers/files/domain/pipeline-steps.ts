/**
 * The upload pipeline's steps, each run by its own function behind its own queue:
 *
 * - PROCESS checks the bytes (magic numbers against the allowlist, pixel cap before decoding),
 *   writes the sanitized original (EXIF orientation applied, metadata stripped) and records
 *   format, dimensions, size and sha256;
 * - THUMBNAIL makes the configured sizes in the configured formats, after the same checks.
 *
 * Each step is recorded on the file with conditional updates, so that S3, SNS and SQS delivering
 * an event more than once, concurrently or late, changes the file at most once:
 * begin (RUNNING) -> work -> complete (DONE, the step's one metadata write) -> READY when every
 * required step is DONE. A ProcessingError (the file's fault) ends the file FAILED at once and
 * moves the original to quarantine; anything else is rethrown, so the queue retries it and
 * finally hands it to the dead-letter queue, whose consumer decides the file's fate
 * (./dead-letter-steps.ts).
 *
 * READY and FAILED are announced by a FileStatusMessage (SNS), which the notify function turns
 * into the user-facing event; a step re-announces a terminal status whenever it meets a
 * duplicate, so a crash between the status change and the announcement loses nothing (notify
 * drops the repeats).
 */
import type { FileStep } from '../../generated/graphql.js';
import { ObjectNotFoundError, ProcessingError, RETRIES_EXHAUSTED } from './errors.js';
import {
  inspectImage as defaultInspect,
  renderThumbnails as defaultRender,
  sanitizeImage as defaultSanitize,
} from './image-inspection.js';
import { processedKey, quarantineKey, thumbnailKey, type ThumbnailFormat, type ThumbnailSpec } from './keys.js';
import { type FileErrorRecord, type FileRecord, REQUIRED_STEPS, type RequiredStep, type StepDetails, isTerminal } from './model.js';
import { type ObjectRef, type PipelineLog, type StepContext, type StepOutcome, findRecord, noMetrics, runOf, statusMessage } from './pipeline-runs.js';
import type { Clock, FileEventPublisher, ObjectStore, PipelineRepository, StatusPublisher } from './ports.js';

export interface ImageFunctions {
  readonly inspect: typeof defaultInspect;
  readonly sanitize: typeof defaultSanitize;
  readonly render: typeof defaultRender;
}

export interface PipelineStepsDeps {
  readonly repository: PipelineRepository;
  readonly objectStore: ObjectStore;
  readonly events: FileEventPublisher;
  readonly status: StatusPublisher;
  readonly clock: Clock;
  readonly thumbnails: { readonly sizes: readonly ThumbnailSpec[]; readonly formats: readonly ThumbnailFormat[] };
  readonly images?: Partial<ImageFunctions>;
}

export class PipelineSteps {
  readonly #deps: PipelineStepsDeps;
  readonly #images: ImageFunctions;

  constructor(deps: PipelineStepsDeps) {
    this.#deps = deps;
    this.#images = {
      inspect: deps.images?.inspect ?? defaultInspect,
      sanitize: deps.images?.sanitize ?? defaultSanitize,
      render: deps.images?.render ?? defaultRender,
    };
  }

  /** Runs `step` for the object of an S3 ObjectCreated event. Throws only transient errors. */
  async run(step: RequiredStep, ref: ObjectRef, context: StepContext): Promise<StepOutcome> {
    const { repository } = this.#deps;
    const { log } = context;
    const metrics = context.metrics ?? noMetrics;
    const found = await findRecord(repository, ref, log, context.record);
    if ('outcome' in found) {
      // An upload with no record: a ticket used after deleteFile (S3 cannot refuse it: the key
      // has no current version). PROCESS removes the version so the original does not come back.
      if (step === 'PROCESS' && found.outcome === 'SKIPPED' && found.reason === 'UNKNOWN_FILE') {
        await this.#deps.objectStore.deleteVersion(ref.key, ref.versionId);
        log.warn('Removed an upload whose file does not exist (deleted)', { key: ref.key, versionId: ref.versionId });
      }
      return found;
    }
    const record = found.record;

    const run = runOf(record, ref.sequencer);
    if (run === 'STALE') {
      log.info('Stale event (an older version of the object); ignored', { fileId: record.id, sequencer: ref.sequencer });
      metrics.count('StaleEvents');
      return { outcome: 'SKIPPED', reason: 'STALE' };
    }
    if (run === 'NEWER' && !isTerminal(record.status)) {
      log.warn('An event for a newer version arrived while a run is in progress; ignored', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'OTHER_RUN' };
    }

    const begun = await repository.beginStep(record.id, step, ref.sequencer, this.#now());
    if (!begun.started) return this.#onRejectedBegin(step, record.id, ref, context);
    if (begun.first) await this.#event(record, 'PROCESSING', step, 'started', log);

    let done: StepDetails;
    try {
      done = step === 'PROCESS' ? await this.#process(record) : await this.#thumbnails(record);
    } catch (error) {
      if (error instanceof ProcessingError) return this.#reject(step, record, ref.sequencer, error, context);
      if (error instanceof ObjectNotFoundError) {
        const current = await repository.get(record.id);
        if (current === null || isTerminal(current.status)) {
          log.info('The original is gone and the file is finished or deleted; nothing to do', { fileId: record.id });
          return { outcome: 'SKIPPED', reason: current === null ? 'UNKNOWN_FILE' : 'FINISHED' };
        }
      }
      const { name, message } = error instanceof Error ? error : { name: 'NonError', message: String(error) };
      await repository.recordStepError(record.id, step, { name, message }, this.#now()).catch((recordError: unknown) =>
        log.warn('Could not record the step error', { fileId: record.id, error: recordError }),
      );
      log.warn('Transient failure; the message will be retried', { fileId: record.id, step, error });
      metrics.count('TransientFailures');
      throw error;
    }

    const completed = await repository.completeStep(record.id, ref.sequencer, done, this.#now());
    if (completed === null) {
      const current = await repository.get(record.id);
      if (current === null) {
        log.info('The file was deleted while the step ran; removing what it wrote', { fileId: record.id });
        await this.#removeWritten(done);
        return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
      }
      log.info('Step finished by another delivery; this one changes nothing', { fileId: record.id, step });
      return { outcome: 'SKIPPED', reason: 'DUPLICATE' };
    }
    if (done.step === 'PROCESS') {
      log.info('Metadata recorded', { fileId: record.id, step, format: done.details.format, width: done.details.width, height: done.details.height });
      metrics.count('MetadataWrites');
    } else {
      log.info('Thumbnails recorded', { fileId: record.id, step, thumbnails: done.details.thumbnails.map((t) => t.key) });
      metrics.count('ThumbnailSets');
    }
    await this.#event(record, 'PROCESSING', step, 'completed', log);

    // DynamoDB serializes the steps' updates, so the step completing second sees the other DONE:
    // exactly one of them tries (markReady is still conditional and guards the transition).
    if (this.#everyStepDone(completed) && (await repository.markReady(record.id, ref.sequencer, this.#now()))) {
      log.info('File ready', { fileId: record.id });
      metrics.count('FilesReady');
      await this.#announce(record, 'READY', ref.sequencer, null);
      return { outcome: 'READY', fileId: record.id };
    }
    return { outcome: 'DONE', fileId: record.id };
  }

  /** Begin was refused: a duplicate of a finished step, a finished file, or another run. */
  async #onRejectedBegin(step: RequiredStep, id: string, ref: ObjectRef, context: StepContext): Promise<StepOutcome> {
    const current = await this.#deps.repository.get(id);
    if (current === null) return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
    if (runOf(current, ref.sequencer) !== 'CURRENT') return { outcome: 'SKIPPED', reason: 'OTHER_RUN' };
    context.metrics?.count('DuplicateDeliveries');
    if (isTerminal(current.status)) {
      context.log.info('Duplicate delivery for a finished file; re-announcing its status', { fileId: id, step });
      await this.#settle(current, context.log);
      return { outcome: 'SKIPPED', reason: 'FINISHED' };
    }
    // Only the step completing second tries markReady: had it crashed right after its
    // completeStep, the file would wait for a READY no one else sends. Its redelivery sends it.
    if (this.#everyStepDone(current) && (await this.#deps.repository.markReady(id, ref.sequencer, this.#now()))) {
      context.log.info('File ready (a delivery that completed the last step stopped before marking it)', { fileId: id, step });
      context.metrics?.count('FilesReady');
      await this.#announce(current, 'READY', ref.sequencer, null);
      return { outcome: 'READY', fileId: id };
    }
    context.log.info('Duplicate delivery of a finished step; ignored', { fileId: id, step });
    return { outcome: 'SKIPPED', reason: 'DUPLICATE' };
  }

  #everyStepDone(record: FileRecord): boolean {
    return REQUIRED_STEPS.every((s) => record.steps[s]?.status === 'DONE');
  }

  /** The file's fault: FAILED now (no retry), original to quarantine, status announced. */
  async #reject(
    step: RequiredStep,
    record: FileRecord,
    sequencer: string,
    error: ProcessingError,
    context: StepContext,
  ): Promise<StepOutcome> {
    const { repository } = this.#deps;
    const failure: FileErrorRecord = { code: error.code, message: error.message, step };
    context.log.warn('File rejected', { fileId: record.id, step, code: error.code, error });
    // PROCESS and THUMBNAIL run the same checks, so both reject a bad file: the one that comes
    // second finds it finished and leaves the quarantine copy alone (rewriting it could hide it
    // from a reader that was told FAILED).
    const current = await repository.get(record.id);
    if (current === null || isTerminal(current.status)) {
      context.log.info('File already finished by another step', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: current === null ? 'UNKNOWN_FILE' : 'FINISHED' };
    }
    // Copied before the file says FAILED, so a FAILED file's original is always in quarantine.
    const quarantined = await this.#copyToQuarantine(record);
    if (!(await repository.markFailed(record.id, sequencer, failure, this.#now(), quarantined ?? undefined))) {
      context.log.info('File already finished by another step', { fileId: record.id });
      return { outcome: 'SKIPPED', reason: 'FINISHED' };
    }
    context.metrics?.count('FilesRejected');
    await this.#quarantine(record, context.log);
    await this.#announce(record, 'FAILED', sequencer, failure);
    return { outcome: 'FAILED', fileId: record.id, code: error.code };
  }

  /** Finishes what a crash may have left undone after a terminal transition. */
  async #settle(record: FileRecord, log: PipelineLog): Promise<void> {
    if (record.sequencer === null || !isTerminal(record.status)) return;
    if (record.status === 'FAILED' && record.error !== null && record.error.code !== RETRIES_EXHAUSTED) {
      await this.#quarantine(record, log);
    }
    await this.#announce(record, record.status as 'READY' | 'FAILED', record.sequencer, record.error);
  }

  /**
   * The quarantine key holding a copy of the original; null when neither exists. Copied once:
   * an existing copy (this rejection's own, before the move, or another step's or delivery's)
   * is kept, since copying over it again is not atomic everywhere (s3rver rewrites the file in
   * place) and a reader told FAILED could find it missing.
   */
  async #copyToQuarantine(record: FileRecord): Promise<string | null> {
    const { objectStore } = this.#deps;
    const target = quarantineKey(record.owner, record.id);
    if ((await objectStore.headObject(target)) !== null) return target;
    try {
      await objectStore.copyObject({ from: record.objectKey, to: target });
      return target;
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return (await objectStore.headObject(target)) === null ? null : target;
      throw error;
    }
  }

  /** Moves a rejected original out of `uploads/` (idempotent: resumes a move a crash cut short). */
  async #quarantine(record: FileRecord, log: PipelineLog): Promise<void> {
    const { objectStore, repository } = this.#deps;
    if ((await objectStore.headObject(record.objectKey)) === null) return;
    const target = await this.#copyToQuarantine(record);
    if (target === null) {
      log.warn('Neither the original nor its quarantined copy exists', { fileId: record.id });
      return;
    }
    if (record.quarantineKey !== target) await repository.setQuarantine(record.id, target, this.#now());
    await objectStore.deleteObject(record.objectKey);
    log.info('Original moved to quarantine', { fileId: record.id, key: target });
  }

  async #process(record: FileRecord): Promise<StepDetails> {
    const bytes = await this.#deps.objectStore.getObject(record.objectKey, { maxBytes: record.size });
    const info = await this.#images.inspect(bytes, record.size);
    const sanitized = await this.#images.sanitize(bytes, info.format);
    const key = processedKey(record.owner, record.id, info.format);
    await this.#deps.objectStore.putObject({ key, body: sanitized.bytes, contentType: sanitized.contentType });
    return {
      step: 'PROCESS',
      details: { width: info.width, height: info.height, format: info.format, sha256: info.sha256, bytes: bytes.length, sanitizedKey: key },
    };
  }

  async #thumbnails(record: FileRecord): Promise<StepDetails> {
    const { objectStore, thumbnails } = this.#deps;
    const bytes = await objectStore.getObject(record.objectKey, { maxBytes: record.size });
    // The same checks as PROCESS before anything decodes: this step never trusts another.
    await this.#images.inspect(bytes, record.size);
    const rendered = await this.#images.render(bytes, thumbnails.sizes, thumbnails.formats);
    const written = [];
    for (const thumbnail of rendered) {
      const key = thumbnailKey(record.owner, record.id, thumbnail.spec, thumbnail.format);
      await objectStore.putObject({ key, body: thumbnail.bytes, contentType: thumbnail.contentType });
      written.push({ key, width: thumbnail.width, height: thumbnail.height, format: thumbnail.format });
    }
    return { step: 'THUMBNAIL', details: { thumbnails: written } };
  }

  async #removeWritten(done: StepDetails): Promise<void> {
    const keys = done.step === 'PROCESS' ? [done.details.sanitizedKey] : done.details.thumbnails.map((t) => t.key);
    await Promise.all(keys.map((key) => this.#deps.objectStore.deleteObject(key)));
  }

  /** Step events are best effort: the record is the truth and clients can query it. */
  async #event(record: FileRecord, status: 'PROCESSING', step: FileStep, message: string, log: PipelineLog): Promise<void> {
    try {
      await this.#deps.events.publish({ fileId: record.id, owner: record.owner, status, step, message });
    } catch (error) {
      log.error('Could not publish the file event', { fileId: record.id, step, message, error });
    }
  }

  /** Not best effort: a lost READY/FAILED would leave the client waiting. Throws to be retried. */
  async #announce(record: FileRecord, status: 'READY' | 'FAILED', sequencer: string, error: FileErrorRecord | null): Promise<void> {
    await this.#deps.status.publish(statusMessage(record, status, sequencer, error));
  }

  #now(): string {
    return this.#deps.clock.now().toISOString();
  }
}
