/**
 * What the pipeline's steps and its dead-letter handling share: the S3 event a step works on,
 * where that event stands against the run the file record is in, what a step reports, and the
 * two reads and writes both make (the event's file record, the status announcement).
 */
import type { FileErrorRecord, FileRecord } from './model.js';
import { parseOriginalKey } from './keys.js';
import type { FileStatusMessage, PipelineRepository } from './ports.js';

export interface PipelineLog {
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
}

export interface PipelineMetrics {
  count(name: string, value?: number): void;
}

export const noMetrics: PipelineMetrics = { count: () => undefined };

/** The object an S3 ObjectCreated event names, with what tells its versions apart. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly sequencer: string;
  readonly versionId: string | null;
}

export type StepOutcome =
  | { readonly outcome: 'DONE' | 'READY'; readonly fileId: string }
  | { readonly outcome: 'FAILED'; readonly fileId: string; readonly code: string }
  | {
      readonly outcome: 'SKIPPED';
      readonly reason:
        | 'NOT_AN_UPLOAD'
        | 'UNKNOWN_FILE'
        | 'OWNER_MISMATCH'
        | 'STALE'
        | 'DUPLICATE'
        | 'FINISHED'
        | 'OTHER_RUN'
        | 'COMPLETED'
        | 'IN_PROGRESS';
    };

export interface StepContext {
  readonly log: PipelineLog;
  readonly metrics?: PipelineMetrics;
  /**
   * The file record as this delivery read it (null: none), just before the idempotency claim;
   * a step reads it itself when absent. Reading it a moment early decides nothing a fresh read
   * would not: every later write (beginStep, completeStep, markReady, markFailed) is
   * conditional, and a refused begin re-reads the record.
   */
  readonly record?: FileRecord | null;
}

/** The longest a step's function runs when the caller does not say (its timeout). */
export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/**
 * S3 sequencers order the events of one key: compare them as hexadecimal numbers (the shorter
 * padded with zeros on the left). Negative when `a` is older.
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Where the event stands against the run the record is in. */
export function runOf(record: FileRecord, sequencer: string): 'CURRENT' | 'STALE' | 'NEWER' {
  if (record.supersededSequencer !== null && compareSequencers(sequencer, record.supersededSequencer) <= 0) return 'STALE';
  if (record.sequencer === null) return 'CURRENT';
  const order = compareSequencers(sequencer, record.sequencer);
  return order === 0 ? 'CURRENT' : order < 0 ? 'STALE' : 'NEWER';
}

/** The event's file record: `given` when the caller read it already (see StepContext.record), else read. */
export async function findRecord(
  repository: Pick<PipelineRepository, 'get'>,
  ref: ObjectRef,
  log: PipelineLog,
  given?: FileRecord | null,
): Promise<{ record: FileRecord } | StepOutcome> {
  const parsed = parseOriginalKey(ref.key);
  if (parsed === null) {
    log.info('Ignoring an object that is not an original upload', { key: ref.key });
    return { outcome: 'SKIPPED', reason: 'NOT_AN_UPLOAD' };
  }
  const record = given !== undefined ? given : await repository.get(parsed.fileId);
  if (record === null) {
    log.warn('No file record for the object (unknown or deleted); skipping', { key: ref.key });
    return { outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' };
  }
  if (record.owner !== parsed.owner || record.objectKey !== ref.key) {
    log.warn('The object key does not match the file record; skipping', { key: ref.key, fileId: record.id });
    return { outcome: 'SKIPPED', reason: 'OWNER_MISMATCH' };
  }
  return { record };
}

/** The announcement of a terminal status: what notify turns into the user-facing event. */
export function statusMessage(record: FileRecord, status: 'READY' | 'FAILED', sequencer: string, error: FileErrorRecord | null): FileStatusMessage {
  return { fileId: record.id, owner: record.owner, status, sequencer, correlationId: record.correlationId, error };
}
