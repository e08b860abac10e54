/**
 * What a write or a delete does to a key's versions, by the bucket's versioning state ([VER23]):
 * pure functions over the list of versions, newest first. The store persists what they return.
 */
import { randomBytes } from 'node:crypto';
import type { ChecksumAlgorithm } from './checksums.js';

export type VersioningState = 'Unversioned' | 'Enabled' | 'Suspended';
export const NULL_VERSION = 'null';

export interface StoredObject {
  readonly kind: 'object';
  readonly versionId: string;
  readonly lastModified: string;
  /** The data file's name under the bucket's data folder. */
  readonly file: string;
  readonly size: number;
  /** Quoted, as S3 sends it. */
  readonly etag: string;
  readonly contentType: string;
  /** `x-amz-meta-*` without the prefix, lower-case names. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Content-Encoding, Content-Disposition, Cache-Control, Content-Language, Expires, as given. */
  readonly headers: Readonly<Record<string, string>>;
  /** `value` is absent until first asked for when S3 chose the algorithm (CRC64NVME, no client checksum). */
  readonly checksum: { readonly algorithm: ChecksumAlgorithm; readonly value?: string; readonly type: 'FULL_OBJECT' | 'COMPOSITE' };
  /** Parts of a multipart upload (the ETag ends `-<parts>`). */
  readonly parts?: number;
}

export interface DeleteMarker {
  readonly kind: 'deleteMarker';
  readonly versionId: string;
  readonly lastModified: string;
}

export type ObjectVersion = StoredObject | DeleteMarker;

/** URL-safe, unique, and in creation order when compared as strings within one process. */
let lastStamp = 0;
export function newVersionId(): string {
  const stamp = Math.max(Date.now(), lastStamp + 1);
  lastStamp = stamp;
  return `${stamp.toString(36).padStart(9, '0')}${randomBytes(18).toString('base64url')}`;
}

export interface VersionChange {
  readonly versions: readonly ObjectVersion[];
  /** Versions gone for good: their data files can be deleted. */
  readonly removed: readonly ObjectVersion[];
  /** The version the request created (a new object or delete marker), if any. */
  readonly created?: ObjectVersion;
}

const withoutNull = (versions: readonly ObjectVersion[]) => ({
  kept: versions.filter((v) => v.versionId !== NULL_VERSION),
  removed: versions.filter((v) => v.versionId === NULL_VERSION),
});

/** A new object: a new version when enabled; otherwise it replaces the `null` version. */
export function putVersion(versions: readonly ObjectVersion[], state: VersioningState, object: Omit<StoredObject, 'versionId'>): VersionChange {
  if (state === 'Enabled') {
    const created: StoredObject = { ...object, versionId: newVersionId() };
    return { versions: [created, ...versions], removed: [], created };
  }
  const { kept, removed } = withoutNull(versions);
  const created: StoredObject = { ...object, versionId: NULL_VERSION };
  return { versions: [created, ...kept], removed, created };
}

/** DELETE without a version id. */
export function deleteCurrent(versions: readonly ObjectVersion[], state: VersioningState, now: string): VersionChange {
  if (state === 'Unversioned') return { versions: [], removed: versions };
  if (state === 'Enabled') {
    const created: DeleteMarker = { kind: 'deleteMarker', versionId: newVersionId(), lastModified: now };
    return { versions: [created, ...versions], removed: [], created };
  }
  const { kept, removed } = withoutNull(versions);
  const created: DeleteMarker = { kind: 'deleteMarker', versionId: NULL_VERSION, lastModified: now };
  return { versions: [created, ...kept], removed, created };
}

/** DELETE ?versionId=: that version (or marker) is removed for good. */
export function deleteVersion(versions: readonly ObjectVersion[], versionId: string): VersionChange {
  return { versions: versions.filter((v) => v.versionId !== versionId), removed: versions.filter((v) => v.versionId === versionId) };
}
