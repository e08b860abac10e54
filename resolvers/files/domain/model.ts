/** The stored file record: the domain model behind the GraphQL `File`. */
import type { FileStatus } from '../../generated/graphql.js';
import { originalKey } from './keys.js';

export type { FileStatus };

export const FILE_STATUSES = ['PENDING_UPLOAD', 'PROCESSING', 'READY', 'FAILED'] as const satisfies readonly FileStatus[];

/**
 * The pipeline's steps that must all be DONE for a file to be READY. Each runs in its own
 * function behind its own queue; NOTIFY only reports and is not required.
 */
export const REQUIRED_STEPS = ['PROCESS', 'THUMBNAIL'] as const;
export type RequiredStep = (typeof REQUIRED_STEPS)[number];

export type StepStatus = 'RUNNING' | 'DONE' | 'FAILED';

export interface StepState {
  readonly status: StepStatus;
  readonly at: string;
  /** The last transient error of this step (what the DLQ consumer reports when retries run out). */
  readonly lastError: { readonly name: string; readonly message: string } | null;
}

export interface ThumbnailRecord {
  /** Object key in the uploads bucket. */
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly format: string;
}

export interface FileErrorRecord {
  readonly code: string;
  readonly message: string;
  readonly step: string | null;
}

export interface FileRecord {
  readonly id: string;
  readonly owner: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly status: FileStatus;
  /** Object key of the original upload. */
  readonly objectKey: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly format: string | null;
  readonly sha256: string | null;
  readonly thumbnails: readonly ThumbnailRecord[];
  readonly error: FileErrorRecord | null;
  /** ISO 8601 UTC with milliseconds (AWSDateTime); also the sort key of `byOwner`. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The GraphQL request that created (or last reprocessed) the file; also in the object's metadata. */
  readonly correlationId: string | null;
  /**
   * The S3 event sequencer of the object version this run processes. Set by the first step that
   * starts; events with an older sequencer are stale.
   */
  readonly sequencer: string | null;
  /** After reprocessFile: the sequencer of the previous run; only newer events start a new run. */
  readonly supersededSequencer: string | null;
  readonly steps: Readonly<Partial<Record<RequiredStep, StepState>>>;
  /** The original with its EXIF orientation applied and every metadata block removed. */
  readonly sanitizedKey: string | null;
  /** Where a rejected original was moved. */
  readonly quarantineKey: string | null;
  /** `<status>#<sequencer>` of the last terminal status the notify function announced. */
  readonly notified: string | null;
}

/** The key of a record in the owner's newest-first listing; what a page token carries. */
export interface FileListKey {
  readonly id: string;
  readonly owner: string;
  readonly createdAt: string;
}

/** What the PROCESS step found out about a good image. */
export interface ProcessDetails {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly sha256: string;
  /** Bytes actually stored (equal to the declared size, or processing would have failed). */
  readonly bytes: number;
  readonly sanitizedKey: string;
}

/** What the THUMBNAIL step wrote. */
export interface ThumbnailDetails {
  readonly thumbnails: readonly ThumbnailRecord[];
}

export type StepDetails =
  | { readonly step: 'PROCESS'; readonly details: ProcessDetails }
  | { readonly step: 'THUMBNAIL'; readonly details: ThumbnailDetails };

/** Kept for the API tests' fakes: what a READY file carries. */
export interface ReadyDetails {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly sha256: string;
  readonly thumbnails: readonly ThumbnailRecord[];
}

/** A fresh record's pipeline fields (createUpload). */
export const NO_PIPELINE_STATE = {
  sequencer: null,
  supersededSequencer: null,
  steps: {},
  sanitizedKey: null,
  quarantineKey: null,
  notified: null,
} as const satisfies Partial<FileRecord>;

/** What createUpload stores: a file waiting for its upload, nothing known yet of what it holds. */
export function pendingUpload(file: {
  readonly id: string;
  readonly owner: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  /** When it was created (ISO 8601). */
  readonly at: string;
  readonly correlationId: string | null;
}): FileRecord {
  const { at, ...given } = file;
  return {
    ...given,
    status: 'PENDING_UPLOAD',
    objectKey: originalKey(file.owner, file.id),
    width: null,
    height: null,
    format: null,
    sha256: null,
    thumbnails: [],
    error: null,
    createdAt: at,
    updatedAt: at,
    ...NO_PIPELINE_STATE,
  };
}

export const isTerminal = (status: FileStatus): boolean => status === 'READY' || status === 'FAILED';
