/**
 * The ports the files domain depends on. One AWS implementation each lives in
 * resolvers/adapters (the only code that imports @aws-sdk); tests use in-memory fakes.
 */
import type { PublishFileEventInput } from '../generated/graphql.js';
import type { FileErrorRecord, FileListKey, FileRecord, ReadyDetails } from './model.js';

export interface FilePage {
  readonly items: readonly FileRecord[];
  /** Key of the last item when more items follow; null on the last page. */
  readonly lastKey: FileListKey | null;
}

export interface FileRepository {
  /** Stores a new record. Fails if the id exists. */
  create(record: FileRecord): Promise<void>;
  get(id: string): Promise<FileRecord | null>;
  /** The owner's records, newest first (createdAt descending). */
  listByOwner(owner: string, options: { limit: number; startAfter?: FileListKey | null }): Promise<FilePage>;
  /**
   * PENDING_UPLOAD -> PROCESSING, or PROCESSING -> PROCESSING (a retried event).
   * False when the record is missing or already READY/FAILED: nothing changed.
   */
  markProcessing(id: string, at: string): Promise<boolean>;
  /** PROCESSING -> READY with what processing found. False when not PROCESSING. */
  markReady(id: string, details: ReadyDetails, at: string): Promise<boolean>;
  /** PROCESSING -> FAILED with the error. False when not PROCESSING. */
  markFailed(id: string, error: FileErrorRecord, at: string): Promise<boolean>;
}

export interface PresignPutRequest {
  readonly key: string;
  readonly contentType: string;
  readonly contentLength: number;
  readonly expiresInSeconds: number;
}

/** The uploads bucket. */
export interface ObjectStore {
  /** A URL for a PUT whose content type and length are bound into the signature. */
  presignPut(request: PresignPutRequest): Promise<string>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * The object's bytes. Reads at most `maxBytes`: a longer object throws SizeMismatchError
   * without being downloaded in full.
   */
  getObject(key: string, options: { maxBytes: number }): Promise<Uint8Array>;
  putObject(request: { key: string; body: Uint8Array; contentType: string }): Promise<void>;
}

/** Announces a step of a file's processing to its owner's subscriptions. */
export interface FileEventPublisher {
  publish(event: PublishFileEventInput): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
