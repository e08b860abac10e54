/**
 * The notify step: turns a FileStatusMessage (a file reached READY or FAILED) into what the
 * user sees: the terminal FileEvent on their subscriptions and a notification (e-mail or SMS in
 * AWS). Announcements repeat (a step re-announces on every duplicate it meets, SNS and SQS
 * deliver at least once), so each `<status>#<sequencer>` is announced once, recorded on the file
 * in two phases:
 *
 * 1. claim: a conditional write takes the announcement until `until` (the end of this
 *    invocation: the Lambda's remaining time). Refused when it was announced (a duplicate:
 *    skipped) or another claim on it has not lapsed (that delivery is still at work: this one
 *    throws and comes back after the visibility timeout, by when the claim has lapsed or ended);
 * 2. effects: the FileEvent is published (and recorded, so a later claim does not publish it
 *    again), then the notification is sent;
 * 3. complete: `notified` is set to the key, ending the claim.
 *
 * A failed effect releases the claim and throws, so the retry claims at once and does what is
 * left: nothing is lost, even when the release fails (the claim then lapses). A failed completion
 * write is logged, not thrown: the effects happened, and a retry could only repeat them. So an
 * effect is repeated only when what follows it is lost: a crash (or a failed write) between the
 * FileEvent and its record, or between the notification and `notified`, followed by another
 * delivery once the claim has lapsed. This claim is the notify function's only de-duplication
 * (no Powertools idempotency record on top of it).
 */
import type { FileStep } from '../../generated/graphql.js';
import { isTerminal } from './model.js';
import type { PipelineLog, PipelineMetrics } from './pipeline-runs.js';
import type { AnnouncementRepository, Clock, FileEventPublisher, FileStatusMessage, NotificationSender } from './ports.js';

export interface NotifierDeps {
  readonly repository: AnnouncementRepository;
  readonly events: FileEventPublisher;
  readonly notifications: NotificationSender;
  readonly clock: Clock;
}

export interface NotifyContext {
  readonly log: PipelineLog;
  readonly metrics?: PipelineMetrics;
  /**
   * How long this delivery may hold its claim: until it surely is no longer running (in Lambda,
   * the invocation's remaining time). DEFAULT_CLAIM_MS when absent.
   */
  readonly claimMs?: number;
}

export type NotifyOutcome =
  | { readonly outcome: 'NOTIFIED'; readonly fileId: string; readonly status: 'READY' | 'FAILED' }
  | { readonly outcome: 'SKIPPED'; readonly reason: 'UNKNOWN_FILE' | 'STALE' | 'ALREADY_NOTIFIED' };

/** A claim's length when the caller does not say (a Lambda timeout of the pipeline's order). */
export const DEFAULT_CLAIM_MS = 60_000;

/** Another delivery holds the announcement's claim; the message is retried later. */
export class AnnouncementInProgressError extends Error {
  override name = 'AnnouncementInProgressError';
  constructor(readonly fileId: string, readonly key: string) {
    super(`The announcement ${key} of file ${fileId} is being made by another delivery`);
  }
}

export const notifiedKey = (message: Pick<FileStatusMessage, 'status' | 'sequencer'>): string =>
  `${message.status}#${message.sequencer}`;

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(message: FileStatusMessage, context: NotifyContext): Promise<NotifyOutcome> {
    const { repository, events, notifications, clock } = this.deps;
    const { log } = context;
    const record = await repository.get(message.fileId);
    if (record === null || record.owner !== message.owner) {
      log.info('No such file (deleted?); nothing to announce', { fileId: message.fileId });
      return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
    }
    // The record is the truth: announce only what it still says (a reprocess may have begun).
    if (!isTerminal(record.status) || record.status !== message.status || record.sequencer !== message.sequencer) {
      log.info('Status message no longer matches the file; ignored', { fileId: record.id, status: message.status });
      return { outcome: 'SKIPPED', reason: 'STALE' };
    }
    const key = notifiedKey(message);
    if (record.notified === key) return this.#duplicate(record.id, message, context);

    const now = clock.now();
    const until = new Date(now.getTime() + Math.max(0, context.claimMs ?? DEFAULT_CLAIM_MS)).toISOString();
    const claim = await repository.claimAnnouncement(record.id, key, now.toISOString(), until);
    if (!claim.claimed) {
      if (claim.reason === 'ALREADY_NOTIFIED') return this.#duplicate(record.id, message, context);
      if (claim.reason === 'UNKNOWN_FILE') return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
      log.info('Another delivery is announcing this status; retried later', { fileId: record.id, key });
      context.metrics?.count('AnnouncementsInProgress');
      throw new AnnouncementInProgressError(record.id, key);
    }

    const step: FileStep =
      message.status === 'FAILED' && isFileStep(record.error?.step) ? record.error.step : 'NOTIFY';
    const text = message.status === 'READY' ? null : (record.error?.message ?? 'Processing failed.');
    try {
      if (claim.eventPublished) {
        log.info('The FileEvent was published by an earlier delivery; not again', { fileId: record.id, key });
      } else {
        await events.publish({ fileId: record.id, owner: record.owner, status: message.status, step, message: text });
        await this.#bookkeeping('record the published FileEvent', () => repository.recordAnnouncementEvent(record.id, key), log, context);
      }
      await notifications.send({
        owner: record.owner,
        fileId: record.id,
        fileName: record.fileName,
        status: message.status,
        text:
          message.status === 'READY'
            ? `Your file "${record.fileName}" is ready.`
            : `Your file "${record.fileName}" could not be processed: ${text ?? ''} (${record.error?.code ?? 'UNKNOWN'}).`,
      });
    } catch (error) {
      // Nothing is lost: the retry claims again (at once, or when this claim lapses).
      await repository.releaseAnnouncement(record.id, key, until).catch((releaseError: unknown) =>
        log.warn('Could not release the announcement claim; it lapses', { fileId: record.id, key, until, error: releaseError }),
      );
      throw error;
    }
    await this.#bookkeeping('record the announcement', () => repository.markNotified(record.id, key, clock.now().toISOString()), log, context);
    log.info('File status announced', { fileId: record.id, status: message.status });
    context.metrics?.count(message.status === 'READY' ? 'ReadyAnnounced' : 'FailedAnnounced');
    return { outcome: 'NOTIFIED', fileId: record.id, status: message.status };
  }

  #duplicate(fileId: string, message: FileStatusMessage, context: NotifyContext): NotifyOutcome {
    context.log.info('Already announced; duplicate ignored', { fileId, status: message.status });
    context.metrics?.count('DuplicateAnnouncements');
    return { outcome: 'SKIPPED', reason: 'ALREADY_NOTIFIED' };
  }

  /**
   * A write after an effect: failing it must not fail the delivery, whose retry would repeat the
   * effect for certain; left undone, it repeats only if the announcement is delivered again
   * after the claim lapsed.
   */
  async #bookkeeping(what: string, write: () => Promise<unknown>, log: PipelineLog, context: NotifyContext): Promise<void> {
    try {
      await write();
    } catch (error) {
      log.error(`Could not ${what}; a later delivery may repeat it`, { error });
      context.metrics?.count('AnnouncementRecordFailures');
    }
  }
}

const FILE_STEPS: readonly string[] = ['UPLOAD', 'PROCESS', 'THUMBNAIL', 'NOTIFY'];
const isFileStep = (value: string | null | undefined): value is FileStep =>
  typeof value === 'string' && FILE_STEPS.includes(value);
