/**
 * The ports the files domain depends on. One AWS implementation each lives in
 * resolvers/files/adapters (with resolvers/shared, the only code that imports @aws-sdk); tests use in-memory fakes.
 */
import type { PublishFileEventInput } from '../../generated/graphql.js';
import type { FileErrorRecord, FileListKey, FileRecord, RequiredStep, StepDetails } from './model.js';

export interface FilePage {
  readonly items: readonly FileRecord[];
  /** Key of the last item when more items follow; null on the last page. */
  readonly lastKey: FileListKey | null;
}

/** What the API needs of the files table. */
export interface FileRepository {
  /** Stores a new record. Fails if the id exists. */
  create(record: FileRecord): Promise<void>;
  get(id: string): Promise<FileRecord | null>;
  /** The owner's records, newest first (createdAt descending). */
  listByOwner(owner: string, options: { limit: number; startAfter?: FileListKey | null }): Promise<FilePage>;
  /** Removes the owner's record and returns it; null when there is none (or it is not theirs). */
  delete(id: string, owner: string): Promise<FileRecord | null>;
  /**
   * READY or FAILED (and not quarantined) -> PROCESSING with the run's state cleared, so that the
   * next S3 event of the object starts a new run; so is a PROCESSING file last changed before
   * `stuckBefore` (a run whose steps outlived their time limit: nothing will finish it). Null
   * when the record is missing, not the owner's, still running, or quarantined: nothing changed.
   */
  resetForReprocess(id: string, owner: string, correlationId: string, at: string, stuckBefore?: string): Promise<FileRecord | null>;
}

export type BeginStepOutcome =
  /** `first`: the step was not running before (a retry of a started step is not first). */
  | { readonly started: true; readonly first: boolean; readonly reopened: boolean }
  | { readonly started: false };

/**
 * What the pipeline's steps need of the files table: per-step state with conditional updates,
 * so that concurrent and repeated deliveries change a record at most once.
 */
export interface PipelineRepository {
  get(id: string): Promise<FileRecord | null>;
  /**
   * Marks `step` RUNNING for the run of `sequencer` (the file becomes PROCESSING). Allowed when
   * the step has not finished in this run, or (a redriven message) when the file FAILED because
   * this very step ran out of retries.
   */
  beginStep(id: string, step: RequiredStep, sequencer: string, at: string): Promise<BeginStepOutcome>;
  /** Remembers the last transient error of a running step, for the DLQ consumer's report. */
  recordStepError(id: string, step: RequiredStep, error: { name: string; message: string }, at: string): Promise<void>;
  /**
   * RUNNING -> DONE with the step's results (the one metadata write). The record as updated (so
   * the caller sees whether every required step is now DONE); null when the step is not running
   * in this run (nothing changed).
   */
  completeStep(id: string, sequencer: string, done: StepDetails, at: string): Promise<FileRecord | null>;
  /** PROCESSING -> READY when every required step is DONE in this run. False otherwise. */
  markReady(id: string, sequencer: string, at: string): Promise<boolean>;
  /**
   * PENDING_UPLOAD/PROCESSING -> FAILED with the error (and its step FAILED). False when the
   * file is already READY or FAILED, or belongs to another run.
   */
  markFailed(id: string, sequencer: string | null, error: FileErrorRecord, at: string, quarantineKey?: string): Promise<boolean>;
  setQuarantine(id: string, key: string, at: string): Promise<void>;
  /** Records that `key` (`<status>#<sequencer>`) was announced. False when it already was. */
  markNotified(id: string, key: string, at: string): Promise<boolean>;
}

/** What a claim on an announcement found (see AnnouncementRepository). */
export type AnnouncementClaim =
  /** `eventPublished`: an earlier claim, released or lapsed, had published the FileEvent. */
  | { readonly claimed: true; readonly eventPublished: boolean }
  | { readonly claimed: false; readonly reason: 'ALREADY_NOTIFIED' | 'IN_PROGRESS' | 'UNKNOWN_FILE' };

/**
 * What the notify step needs of the files table: each announcement (`<status>#<sequencer>`)
 * recorded in two phases, claimed before its effects and marked notified after them, so that
 * deliveries of the same status message announce it once (resolvers/files/domain/notifier.ts).
 */
export interface AnnouncementRepository {
  get(id: string): Promise<FileRecord | null>;
  /**
   * Claims the announcement `key` until `until` (ISO instants, as `at`), with a conditional
   * write: refused when `key` was announced (ALREADY_NOTIFIED), when another claim on it has not
   * lapsed by `at` (IN_PROGRESS) or when the record is gone (UNKNOWN_FILE).
   */
  claimAnnouncement(id: string, key: string, at: string, until: string): Promise<AnnouncementClaim>;
  /** Records that the FileEvent of `key` was published, so a later claim does not publish it again. */
  recordAnnouncementEvent(id: string, key: string): Promise<void>;
  /** Ends the claim made with `until` early (its effects failed): the next delivery may claim at once. */
  releaseAnnouncement(id: string, key: string, until: string): Promise<void>;
  /** Records that `key` was announced, ending its claim. False when it already was. */
  markNotified(id: string, key: string, at: string): Promise<boolean>;
}

export interface PresignPutRequest {
  readonly key: string;
  readonly contentType: string;
  readonly contentLength: number;
  readonly expiresInSeconds: number;
  /** User metadata bound into the signature (`x-amz-meta-<name>` headers the PUT must carry). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Binds `If-None-Match: *` into the signature: S3 answers 412 when the key already has an
   * object, so the URL creates the object once and never replaces it.
   */
  readonly onlyIfAbsent?: boolean;
}

export interface ObjectHead {
  readonly size: number;
  /** User metadata, names lower case without the `x-amz-meta-` prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Presigned URLs of the uploads bucket's objects. Signing is local (no call to S3), so the API's
 * hot fields (createUpload, file, files) need this and no S3 client.
 */
export interface ObjectUrlSigner {
  /** A URL for a PUT whose content type, length and metadata are bound into the signature. */
  presignPut(request: PresignPutRequest): Promise<string>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}

/** The uploads bucket's objects: calls to S3. */
export interface ObjectStore {
  /**
   * The object's bytes. Reads at most `maxBytes`: a longer object throws SizeMismatchError
   * without being downloaded in full.
   */
  getObject(key: string, options: { maxBytes: number }): Promise<Uint8Array>;
  putObject(request: { key: string; body: Uint8Array; contentType: string }): Promise<void>;
  /** Size and user metadata; null when there is no such object. */
  headObject(key: string): Promise<ObjectHead | null>;
  /** Copies an object (onto itself too: a new version, and a new ObjectCreated event). */
  copyObject(request: { from: string; to: string; metadata?: Readonly<Record<string, string>> }): Promise<void>;
  /** Deletes an object; no error when it does not exist. */
  deleteObject(key: string): Promise<void>;
  /**
   * Permanently removes every version and delete marker of the object `key`, or of every object
   * under `prefix` (which ends in '/'): in a versioned bucket a plain delete only hides an object.
   * Returns how many versions it removed.
   */
  deleteEveryVersion(scope: { readonly key: string } | { readonly prefix: string }): Promise<number>;
  /** Permanently removes one version of an object (null: the unversioned object). */
  deleteVersion(key: string, versionId: string | null): Promise<void>;
}

/** Announces a step of a file's processing to its owner's subscriptions. */
export interface FileEventPublisher {
  publish(event: PublishFileEventInput): Promise<void>;
}

/** A file reached READY or FAILED: what the steps tell the notify function (through SNS). */
export interface FileStatusMessage {
  readonly fileId: string;
  readonly owner: string;
  readonly status: 'READY' | 'FAILED';
  readonly sequencer: string;
  readonly correlationId: string | null;
  readonly error: FileErrorRecord | null;
}

export interface StatusPublisher {
  publish(message: FileStatusMessage): Promise<void>;
}

/** A message for the file's owner outside the app (e-mail or SMS in AWS). */
export interface UserNotification {
  readonly owner: string;
  readonly fileId: string;
  readonly fileName: string;
  readonly status: 'READY' | 'FAILED';
  readonly text: string;
}

export interface NotificationSender {
  send(notification: UserNotification): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
