/** DeleteObject and DeleteObjects: delete markers, deletes by version id, conditional deletes ([VER23][CD]). */
import { objectArn } from './access.js';
import { receiveText } from './body.js';
import { type S3Context, authorize, checkKey, sendEmpty, sendXml } from './context.js';
import { S3Error, malformedXml, noSuchKey, preconditionFailed } from './errors.js';
import { checkVersionId } from './objects-read.js';
import type { Bucket } from './store.js';
import { type ObjectVersion, type VersionChange, deleteCurrent, deleteVersion } from './versioning.js';
import { asArray, asText, parseXml, xmlDocument, type XmlNode } from './xml.js';

export interface DeleteOutcome {
  /** The marker created, or the version removed. */
  readonly versionId: string | undefined;
  /** The new current version is a marker (simple delete), or the removed version was one. */
  readonly deleteMarker: boolean;
}

/** `If-Match` on a delete: only the current version counts; `*` means "exists" [CD]. */
function checkDeleteCondition(ifMatch: string | undefined, versions: readonly ObjectVersion[], key: string): void {
  if (ifMatch === undefined) return;
  const current = versions[0];
  if (current === undefined) throw noSuchKey(key);
  if (current.kind === 'deleteMarker') throw preconditionFailed('If-Match');
  const tag = ifMatch.trim();
  if (tag !== '*' && tag !== current.etag && `"${tag}"` !== current.etag) throw preconditionFailed('If-Match');
}

/** One key's delete, as DeleteObject and each entry of DeleteObjects perform it. */
export async function deleteKey(
  context: S3Context,
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
  ifMatch: string | undefined,
): Promise<DeleteOutcome> {
  if (versionId !== undefined) checkVersionId(versionId);
  authorize(context, versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion', objectArn(bucket.name, key));
  const change: VersionChange = await bucket.update(key, (versions) => {
    checkDeleteCondition(ifMatch, versions, key);
    return versionId === undefined ? deleteCurrent(versions, bucket.versioning, new Date().toISOString()) : deleteVersion(versions, versionId);
  });
  const base = {
    bucket: bucket.name,
    key,
    size: 0,
    principalId: context.principal.principalId,
    sourceIp: context.sourceIp,
    requestId: context.requestId,
    hostId: context.hostId,
  };
  if (change.created !== undefined) {
    context.events.emit({ ...base, eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: change.created.versionId });
    return { versionId: change.created.versionId, deleteMarker: true };
  }
  const [removed] = change.removed;
  if (removed !== undefined) {
    context.events.emit({ ...base, eventName: 'ObjectRemoved:Delete', ...(bucket.versioning === 'Unversioned' ? {} : { versionId: removed.versionId }) });
  }
  return { versionId: versionId ?? undefined, deleteMarker: removed?.kind === 'deleteMarker' };
}

export async function deleteObject(context: S3Context, bucket: Bucket): Promise<void> {
  checkKey(context.key);
  context.request.resume();
  const outcome = await deleteKey(context, bucket, context.key, context.query.get('versionId'), context.headers['if-match']);
  sendEmpty(context, 204, {
    ...(outcome.versionId === undefined || bucket.versioning === 'Unversioned' ? {} : { 'x-amz-version-id': outcome.versionId }),
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
  });
}

const MAX_KEYS_PER_DELETE = 1000;

/** POST /bucket?delete: each key deleted as DeleteObject would, each result reported [CD]. */
export async function deleteObjects(context: S3Context, bucket: Bucket): Promise<void> {
  const text = await receiveText(context, bucket.temporaryPath(), { maxBytes: 2 * 1024 * 1024, refuse: malformedXml });
  const root = parseXml(text, 'Delete');
  const objects = asArray(root['Object']);
  if (objects.length === 0 || objects.length > MAX_KEYS_PER_DELETE) throw malformedXml();
  const quiet = asText(root['Quiet'])?.toLowerCase() === 'true';
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  for (const entry of objects) {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const key = asText(fields['Key']);
    if (key === undefined) throw malformedXml();
    const versionId = asText(fields['VersionId']);
    try {
      checkKey(key);
      const outcome = await deleteKey(context, bucket, key, versionId, asText(fields['ETag']));
      if (quiet) continue;
      deleted.push({
        Key: key,
        VersionId: versionId,
        DeleteMarker: outcome.deleteMarker ? true : undefined,
        DeleteMarkerVersionId: outcome.deleteMarker ? outcome.versionId : undefined,
      });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.push({ Key: key, VersionId: versionId, Code: error.code, Message: error.message });
    }
  }
  sendXml(context, 200, xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }));
}
