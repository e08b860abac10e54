/** The stored file record: the domain model behind the GraphQL `File`. */
import type { FileStatus } from '../generated/graphql.js';

export type { FileStatus };

export const FILE_STATUSES = ['PENDING_UPLOAD', 'PROCESSING', 'READY', 'FAILED'] as const satisfies readonly FileStatus[];

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
}

/** The key of a record in the owner's newest-first listing; what a page token carries. */
export interface FileListKey {
  readonly id: string;
  readonly owner: string;
  readonly createdAt: string;
}

/** What processing found out about a good image. */
export interface ReadyDetails {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly sha256: string;
  readonly thumbnails: readonly ThumbnailRecord[];
}
