/**
 * The notify step: turns a FileStatusMessage (a file reached READY or FAILED) into what the
 * user sees: the terminal FileEvent on their subscriptions and a notification (e-mail or SMS in
 * AWS). Announcements repeat (a step re-announces on every duplicate it meets), so each
 * `<status>#<sequencer>` is delivered once: the record remembers what was announced.
 */
import type { FileStep } from '../generated/graphql.js';
import { isTerminal } from './model.js';
import type { PipelineLog, PipelineMetrics } from './pipeline-steps.js';
import type { Clock, FileEventPublisher, FileStatusMessage, NotificationSender, PipelineRepository } from './ports.js';

export interface NotifierDeps {
  readonly repository: PipelineRepository;
  readonly events: FileEventPublisher;
  readonly notifications: NotificationSender;
  readonly clock: Clock;
}

export type NotifyOutcome =
  | { readonly outcome: 'NOTIFIED'; readonly fileId: string; readonly status: 'READY' | 'FAILED' }
  | { readonly outcome: 'SKIPPED'; readonly reason: 'UNKNOWN_FILE' | 'STALE' | 'ALREADY_NOTIFIED' };

export const notifiedKey = (message: Pick<FileStatusMessage, 'status' | 'sequencer'>): string =>
  `${message.status}#${message.sequencer}`;

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(message: FileStatusMessage, context: { log: PipelineLog; metrics?: PipelineMetrics }): Promise<NotifyOutcome> {
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
    if (record.notified === key) {
      log.info('Already announced; duplicate ignored', { fileId: record.id, status: message.status });
      context.metrics?.count('DuplicateAnnouncements');
      return { outcome: 'SKIPPED', reason: 'ALREADY_NOTIFIED' };
    }
    const step: FileStep =
      message.status === 'FAILED' && isFileStep(record.error?.step) ? record.error.step : 'NOTIFY';
    const text = message.status === 'READY' ? null : (record.error?.message ?? 'Processing failed.');
    await events.publish({ fileId: record.id, owner: record.owner, status: message.status, step, message: text });
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
    await repository.markNotified(record.id, key, clock.now().toISOString());
    log.info('File status announced', { fileId: record.id, status: message.status });
    context.metrics?.count(message.status === 'READY' ? 'ReadyAnnounced' : 'FailedAnnounced');
    return { outcome: 'NOTIFIED', fileId: record.id, status: message.status };
  }
}

const FILE_STEPS: readonly string[] = ['UPLOAD', 'PROCESS', 'THUMBNAIL', 'NOTIFY'];
const isFileStep = (value: string | null | undefined): value is FileStep =>
  typeof value === 'string' && FILE_STEPS.includes(value);
