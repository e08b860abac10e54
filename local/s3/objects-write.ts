/** PutObject and CopyObject, with S3's conditional writes ([CW]) and the event each write sends. */
import { createHash } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { objectArn } from './access.js';
import { receiveBody } from './body.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader, checksummer } from './checksums.js';
import { type S3Context, authorize, checkKey, sendEmpty, sendXml } from './context.js';
import { S3Error, invalidRequest, noSuchKey, noSuchVersion, notImplemented, preconditionFailed } from './errors.js';
import type { S3EventName } from './events.js';
import { checkVersionId } from './objects-read.js';
import type { Bucket } from './store.js';
import { type ObjectVersion, type StoredObject, putVersion } from './versioning.js';
import { xmlDocument } from './xml.js';

/** The headers S3 keeps with an object and returns on GET. */
const KEPT_HEADERS = ['content-disposition', 'cache-control', 'content-language', 'expires'] as const;

export interface ObjectAttributes {
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Content type, `x-amz-meta-*` and the kept headers of a write request. */
export function attributesOf(headers: Readonly<Record<string, string>>): ObjectAttributes {
  const metadata: Record<string, string> = {};
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  for (const name of KEPT_HEADERS) if (headers[name] !== undefined) kept[name] = headers[name];
  // aws-chunked describes the request's framing, not the object.
  const encoding = (headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked')
    .join(',');
  if (encoding !== '') kept['content-encoding'] = encoding;
  return { contentType: headers['content-type'] ?? 'binary/octet-stream', metadata, headers: kept };
}

/**
 * `If-None-Match: *` and `If-Match: <etag>` against the current version only: a delete marker or
 * no version counts as no object [CW][KPUT-IM]. Checked before the body is read (so a refused
 * write stores nothing) and again under the key's lock (the first write to finish wins).
 */
export function checkWriteConditions(headers: Readonly<Record<string, string>>, versions: readonly ObjectVersion[], key: string): void {
  const current = versions[0]?.kind === 'object' ? versions[0] : undefined;
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw notImplemented('If-None-Match with a value other than *');
    if (current !== undefined) throw preconditionFailed('If-None-Match');
  }
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (current === undefined) throw noSuchKey(key);
    const tag = ifMatch.trim();
    if (tag !== '*' && tag !== current.etag && `"${tag}"` !== current.etag) throw preconditionFailed('If-Match');
  }
}

const versionHeader = (bucket: Bucket, version: ObjectVersion): Record<string, string> =>
  bucket.versioning === 'Unversioned' ? {} : { 'x-amz-version-id': version.versionId };

/** Stores a received (or copied) data file as the key's new version, under the key's lock. */
export async function commitObject(
  context: S3Context,
  bucket: Bucket,
  temporaryPath: string,
  object: Omit<StoredObject, 'versionId' | 'file'>,
  eventName: S3EventName,
): Promise<StoredObject> {
  const { created } = await bucket.update(context.key, async (versions) => {
    try {
      checkWriteConditions(context.headers, versions, context.key);
    } catch (error) {
      await rm(temporaryPath, { force: true });
      throw error;
    }
    const file = await bucket.adopt(temporaryPath);
    return putVersion(versions, bucket.versioning, { ...object, file });
  });
  const stored = created as StoredObject;
  context.events.emit({
    eventName,
    bucket: bucket.name,
    key: context.key,
    size: stored.size,
    eTag: stored.etag.replace(/"/g, ''),
    ...(bucket.versioning === 'Enabled' ? { versionId: stored.versionId } : {}),
    principalId: context.principal.principalId,
    sourceIp: context.sourceIp,
    requestId: context.requestId,
    hostId: context.hostId,
  });
  return stored;
}

export async function putObject(context: S3Context, bucket: Bucket): Promise<void> {
  checkKey(context.key);
  authorize(context, 's3:PutObject', objectArn(context.bucketName, context.key));
  // If-Match reveals the current ETag: it needs s3:GetObject too [CW].
  if (context.headers['if-match'] !== undefined) authorize(context, 's3:GetObject', objectArn(context.bucketName, context.key));
  checkWriteConditions(context.headers, bucket.versions(context.key), context.key);
  const received = await receiveBody(context.request, { headers: context.headers, path: bucket.temporaryPath(), secretAccessKey: context.principal.secretAccessKey });
  const stored = await commitObject(
    context,
    bucket,
    received.path,
    {
      kind: 'object',
      lastModified: new Date().toISOString(),
      size: received.size,
      etag: `"${received.md5Hex}"`,
      ...attributesOf(context.headers),
      // No client checksum: S3's CRC64NVME, computed when first asked for (objects-read.ts).
      checksum: received.checksum === undefined ? { algorithm: 'CRC64NVME', type: 'FULL_OBJECT' } : { ...received.checksum, type: 'FULL_OBJECT' },
    },
    'ObjectCreated:Put',
  );
  sendEmpty(context, 200, {
    etag: stored.etag,
    ...versionHeader(bucket, stored),
    ...(stored.checksum.value === undefined ? {} : { [checksumHeader(stored.checksum.algorithm)]: stored.checksum.value, 'x-amz-checksum-type': 'FULL_OBJECT' }),
    'x-amz-server-side-encryption': 'AES256',
  });
}

/** `x-amz-copy-source: /bucket/key?versionId=...` (URL-encoded). */
export function parseCopySource(value: string): { bucket: string; key: string; versionId: string | undefined } {
  const at = value.indexOf('?versionId=');
  const path = (at < 0 ? value : value.slice(0, at)).replace(/^\//, '');
  const versionId = at < 0 ? undefined : decodeURIComponent(value.slice(at + '?versionId='.length));
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw new S3Error('InvalidArgument', 400, 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  let key: string;
  try {
    key = decodeURIComponent(path.slice(slash + 1));
  } catch {
    throw new S3Error('InvalidArgument', 400, 'Copy Source is not valid percent-encoded UTF-8');
  }
  return { bucket: path.slice(0, slash), key, versionId };
}

async function digestFile(path: string, algorithm: ChecksumAlgorithm | undefined): Promise<{ md5Hex: string; checksum: string | undefined }> {
  const md5 = createHash('md5');
  const sum = algorithm === undefined ? undefined : checksummer(algorithm);
  for await (const piece of createReadStream(path)) {
    md5.update(piece as Buffer);
    sum?.update(piece as Buffer);
  }
  return { md5Hex: md5.digest('hex'), checksum: await sum?.digest() };
}

export async function copyObject(context: S3Context, bucket: Bucket): Promise<void> {
  checkKey(context.key);
  const source = parseCopySource(context.headers['x-amz-copy-source'] ?? '');
  checkKey(source.key);
  const sourceBucket = context.buckets.get(source.bucket);
  authorize(context, source.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', objectArn(source.bucket, source.key));
  authorize(context, 's3:PutObject', objectArn(context.bucketName, context.key));
  context.request.resume();
  const versions = sourceBucket.versions(source.key);
  let from: ObjectVersion | undefined;
  if (source.versionId !== undefined) {
    checkVersionId(source.versionId);
    from = versions.find((v) => v.versionId === source.versionId);
    if (from === undefined) throw noSuchVersion(source.key, source.versionId);
    if (from.kind === 'deleteMarker') throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
  } else {
    from = versions[0];
    if (from === undefined || from.kind === 'deleteMarker') throw noSuchKey(source.key);
  }
  const replace = (context.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase() === 'REPLACE';
  if (source.bucket === context.bucketName && source.key === context.key && source.versionId === undefined && !replace) {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  checkCopySourceConditions(context.headers, from);
  checkWriteConditions(context.headers, bucket.versions(context.key), context.key);
  const requested = context.headers['x-amz-checksum-algorithm']?.toUpperCase();
  // The source's full-object checksum carries over; otherwise S3's CRC64NVME, computed when first asked for.
  const algorithm =
    CHECKSUM_ALGORITHMS.find((a) => a === requested) ??
    (from.checksum.type === 'FULL_OBJECT' && from.checksum.value !== undefined ? from.checksum.algorithm : undefined);
  const temporaryPath = bucket.temporaryPath();
  await copyFile(sourceBucket.dataPath(from.file), temporaryPath);
  const digests = await digestFile(temporaryPath, algorithm);
  const attributes = replace ? attributesOf(context.headers) : { contentType: from.contentType, metadata: from.metadata, headers: from.headers };
  const stored = await commitObject(
    context,
    bucket,
    temporaryPath,
    {
      kind: 'object',
      lastModified: new Date().toISOString(),
      size: from.size,
      etag: `"${digests.md5Hex}"`,
      ...attributes,
      checksum: { algorithm: algorithm ?? 'CRC64NVME', ...(digests.checksum === undefined ? {} : { value: digests.checksum }), type: 'FULL_OBJECT' },
    },
    'ObjectCreated:Copy',
  );
  const checksumElement = `Checksum${stored.checksum.algorithm}`;
  sendXml(
    context,
    200,
    xmlDocument('CopyObjectResult', { ETag: stored.etag, LastModified: stored.lastModified, [checksumElement]: stored.checksum.value, ChecksumType: 'FULL_OBJECT' }),
    {
      ...versionHeader(bucket, stored),
      ...(sourceBucket.versioning === 'Unversioned' ? {} : { 'x-amz-copy-source-version-id': from.versionId }),
    },
  );
}

function checkCopySourceConditions(headers: Readonly<Record<string, string>>, from: StoredObject): void {
  const modified = Math.floor(new Date(from.lastModified).getTime() / 1000) * 1000;
  const ifMatch = headers['x-amz-copy-source-if-match'];
  if (ifMatch !== undefined && ifMatch !== from.etag && `"${ifMatch}"` !== from.etag) throw preconditionFailed('x-amz-copy-source-If-Match');
  const ifNoneMatch = headers['x-amz-copy-source-if-none-match'];
  if (ifNoneMatch !== undefined && (ifNoneMatch === from.etag || `"${ifNoneMatch}"` === from.etag)) throw preconditionFailed('x-amz-copy-source-If-None-Match');
  const unmodified = headers['x-amz-copy-source-if-unmodified-since'];
  if (unmodified !== undefined && modified > Date.parse(unmodified)) throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  const since = headers['x-amz-copy-source-if-modified-since'];
  if (since !== undefined && modified <= Date.parse(since)) throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
}
