/** GetObject and HeadObject: versions, delete markers, conditional reads, ranges, checksums. */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { bucketArn, objectArn } from './access.js';
import { checksumHeader, checksummer } from './checksums.js';
import { type S3Context, authorize, baseHeaders, httpDate } from './context.js';
import { S3Error, accessDenied, invalidArgument, invalidRange, methodNotAllowed, noSuchKey, noSuchVersion, preconditionFailed } from './errors.js';
import type { Bucket } from './store.js';
import { NULL_VERSION, type ObjectVersion, type StoredObject } from './versioning.js';

/**
 * A key with no current object: 404 when the caller may list the bucket, else 403, so a caller
 * cannot learn which keys exist [REPOST403].
 */
export function missingKey(context: S3Context, headers: Record<string, string> = {}): S3Error {
  if (!context.principal.allows('s3:ListBucket', bucketArn(context.bucketName))) {
    context.log(`S3 AccessDenied: ${context.principal.principalId} read the missing key ${context.key} without s3:ListBucket (S3 answers 403, not 404)`);
    const denied = accessDenied();
    return new S3Error(denied.code, denied.status, denied.message, {}, headers);
  }
  return noSuchKey(context.key, headers);
}

const VERSION_ID = /^[A-Za-z0-9._-]{1,1024}$/;

export function checkVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION && !VERSION_ID.test(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
}

/** The version a read targets: `?versionId=` or the current one; markers answer as S3 does [VER23][KGETDM]. */
export function versionToRead(context: S3Context, bucket: Bucket): StoredObject {
  const versions = bucket.versions(context.key);
  const versionId = context.query.get('versionId');
  if (versionId !== undefined) {
    checkVersionId(versionId);
    const version = versions.find((v) => v.versionId === versionId);
    if (version === undefined) throw noSuchVersion(context.key, versionId);
    if (version.kind === 'deleteMarker') {
      throw methodNotAllowed({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId, 'last-modified': httpDate(version.lastModified) });
    }
    return version;
  }
  const current = versions[0];
  if (current === undefined) throw missingKey(context);
  if (current.kind === 'deleteMarker') {
    throw missingKey(context, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': current.versionId });
  }
  return current;
}

const etagMatches = (condition: string, etag: string) =>
  condition
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag === etag || `"${tag}"` === etag);

/** RFC 7232 as S3 applies it: If-Match/If-Unmodified-Since -> 412, If-None-Match/If-Modified-Since -> 304. */
function checkReadConditions(headers: Readonly<Record<string, string>>, object: StoredObject): 'ok' | 'not-modified' {
  const modified = Math.floor(new Date(object.lastModified).getTime() / 1000) * 1000;
  const ifMatch = headers['if-match'];
  const ifUnmodified = headers['if-unmodified-since'];
  if (ifMatch !== undefined && !etagMatches(ifMatch, object.etag)) throw preconditionFailed('If-Match');
  if (ifMatch === undefined && ifUnmodified !== undefined && modified > Date.parse(ifUnmodified)) throw preconditionFailed('If-Unmodified-Since');
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, object.etag) ? 'not-modified' : 'ok';
  const ifModified = headers['if-modified-since'];
  if (ifModified !== undefined && !Number.isNaN(Date.parse(ifModified)) && modified <= Date.parse(ifModified)) return 'not-modified';
  return 'ok';
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined for no (or an ignored multi-) range. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw invalidRange(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw invalidRange(size);
  return { start, end };
}

/** The object's own headers, as GET and HEAD return them. */
export function objectHeaders(bucket: Bucket, object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
    ...object.headers,
  };
  if (bucket.versioning !== 'Unversioned') headers['x-amz-version-id'] = object.versionId;
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (object.parts !== undefined) headers['x-amz-mp-parts-count'] = String(object.parts);
  return headers;
}

const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export async function getObject(context: S3Context, bucket: Bucket, head: boolean): Promise<void> {
  const versionId = context.query.get('versionId');
  authorize(context, versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion', objectArn(context.bucketName, context.key));
  const object = versionToRead(context, bucket);
  if (context.query.has('partNumber')) throw new S3Error('NotImplemented', 501, 'GetObject by partNumber is not implemented locally');
  const headers = { ...baseHeaders(context), ...objectHeaders(bucket, object) };
  if (checkReadConditions(context.headers, object) === 'not-modified') {
    const { 'content-type': _type, ...rest } = headers;
    context.response.writeHead(304, rest);
    context.response.end();
    return;
  }
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = context.query.get(parameter);
    if (value !== undefined) headers[header] = value;
  }
  const range = parseRange(context.headers['range'], object.size);
  if (range === undefined && context.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED') {
    headers[checksumHeader(object.checksum.algorithm)] = object.checksum.value ?? (await computeChecksum(bucket, context.key, object));
    headers['x-amz-checksum-type'] = object.checksum.type;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? object.size - 1;
  headers['content-length'] = String(Math.max(0, end - start + 1));
  if (range !== undefined) headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
  context.response.writeHead(range === undefined ? 200 : 206, headers);
  if (head || object.size === 0) {
    context.response.end();
    return;
  }
  await pipeline(createReadStream(bucket.dataPath(object.file), { start, end }), context.response);
}

/** The CRC64NVME S3 keeps for an object stored without a client checksum, computed once and kept. */
async function computeChecksum(bucket: Bucket, key: string, object: StoredObject): Promise<string> {
  const sum = checksummer(object.checksum.algorithm);
  for await (const piece of createReadStream(bucket.dataPath(object.file))) sum.update(piece as Buffer);
  const value = await sum.digest();
  await bucket.update(key, (versions) => ({
    versions: versions.map((v) => (v.kind === 'object' && v.versionId === object.versionId ? { ...v, checksum: { ...v.checksum, value } } : v)),
    removed: [],
  }));
  return value;
}

export const isCurrentObject = (versions: readonly ObjectVersion[]): StoredObject | undefined => {
  const current = versions[0];
  return current?.kind === 'object' ? current : undefined;
};
