/**
 * Multipart upload ([MPU23][CMU]): uploads and their parts live in the bucket's multipart folder
 * until Complete joins the listed parts, in order, into one new version, or Abort removes them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { bucketArn, objectArn } from './access.js';
import { receiveBody, receiveText } from './body.js';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksumHeader, checksummer } from './checksums.js';
import { type S3Context, authorize, checkKey, sendEmpty, sendXml } from './context.js';
import { S3Error, entityTooSmall, invalidArgument, invalidPart, invalidPartOrder, invalidRequest, malformedXml, noSuchUpload } from './errors.js';
import { type ObjectAttributes, attributesOf, checkWriteConditions, commitObject } from './objects-write.js';
import type { Bucket } from './store.js';
import { asArray, asText, parseXml, xmlDocument } from './xml.js';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

interface UploadRecord extends ObjectAttributes {
  readonly key: string;
  readonly uploadId: string;
  readonly initiated: string;
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  readonly checksumType: 'FULL_OBJECT' | 'COMPOSITE';
}

interface PartRecord {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly md5Hex: string;
  readonly lastModified: string;
  readonly checksum: { readonly algorithm: ChecksumAlgorithm; readonly value: string } | undefined;
}

async function readUpload(bucket: Bucket, uploadId: string, key: string): Promise<UploadRecord> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(uploadId)) throw noSuchUpload(uploadId);
  const record = await readFile(join(bucket.multipartDir(uploadId), 'upload.json'), 'utf8').then(
    (text) => JSON.parse(text) as UploadRecord,
    () => undefined,
  );
  if (record === undefined || record.key !== key) throw noSuchUpload(uploadId);
  return record;
}

async function readParts(bucket: Bucket, uploadId: string): Promise<PartRecord[]> {
  const dir = bucket.multipartDir(uploadId);
  const names = (await readdir(dir)).filter((name) => /^part-\d+\.json$/.test(name));
  const parts = await Promise.all(names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as PartRecord));
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

export async function createMultipartUpload(context: S3Context, bucket: Bucket): Promise<void> {
  checkKey(context.key);
  authorize(context, 's3:PutObject', objectArn(bucket.name, context.key));
  context.request.resume();
  const requested = context.headers['x-amz-checksum-algorithm']?.toUpperCase();
  const checksumAlgorithm = CHECKSUM_ALGORITHMS.find((a) => a === requested);
  if (requested !== undefined && checksumAlgorithm === undefined) throw invalidRequest('Checksum algorithm provided is unsupported.');
  const type = (context.headers['x-amz-checksum-type'] ?? '').toUpperCase();
  // CRC64NVME is full-object only; SHA1/SHA256 composite only; CRC32(C) either, composite by default [CKU].
  const checksumType = checksumAlgorithm === undefined || checksumAlgorithm === 'CRC64NVME' || (type === 'FULL_OBJECT' && checksumAlgorithm.startsWith('CRC')) ? 'FULL_OBJECT' : 'COMPOSITE';
  const uploadId = randomBytes(24).toString('base64url');
  const record: UploadRecord = { key: context.key, uploadId, initiated: new Date().toISOString(), ...attributesOf(context.headers), checksumAlgorithm, checksumType };
  const dir = bucket.multipartDir(uploadId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'upload.json'), JSON.stringify(record), { mode: 0o600 });
  sendXml(
    context,
    200,
    xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: context.key, UploadId: uploadId }),
    checksumAlgorithm === undefined ? {} : { 'x-amz-checksum-algorithm': checksumAlgorithm, 'x-amz-checksum-type': checksumType },
  );
}

export async function uploadPart(context: S3Context, bucket: Bucket): Promise<void> {
  authorize(context, 's3:PutObject', objectArn(bucket.name, context.key));
  const uploadId = context.query.get('uploadId') ?? '';
  const numberText = context.query.get('partNumber') ?? '';
  const partNumber = Number(numberText);
  if (!/^\d+$/.test(numberText) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', numberText);
  }
  if (context.headers['x-amz-copy-source'] !== undefined) throw new S3Error('NotImplemented', 501, 'UploadPartCopy is not implemented locally');
  const upload = await readUpload(bucket, uploadId, context.key);
  const received = await receiveBody(context.request, {
    headers: context.headers,
    path: bucket.temporaryPath(),
    secretAccessKey: context.principal.secretAccessKey,
    ...(upload.checksumAlgorithm === undefined ? {} : { defaultAlgorithm: upload.checksumAlgorithm }),
  });
  const part: PartRecord = {
    partNumber,
    etag: `"${received.md5Hex}"`,
    size: received.size,
    md5Hex: received.md5Hex,
    lastModified: new Date().toISOString(),
    checksum: received.checksum,
  };
  const dir = bucket.multipartDir(uploadId);
  try {
    // Re-uploading a part number replaces the earlier part [MPU23].
    await rename(received.path, join(dir, `part-${partNumber}`));
    await writeFile(join(dir, `part-${partNumber}.json.tmp`), JSON.stringify(part), { mode: 0o600 });
    await rename(join(dir, `part-${partNumber}.json.tmp`), join(dir, `part-${partNumber}.json`));
  } catch {
    await rm(received.path, { force: true });
    throw noSuchUpload(uploadId);
  }
  sendEmpty(context, 200, { etag: part.etag, ...(part.checksum === undefined ? {} : { [checksumHeader(part.checksum.algorithm)]: part.checksum.value }) });
}

export async function listParts(context: S3Context, bucket: Bucket): Promise<void> {
  authorize(context, 's3:ListMultipartUploadParts', objectArn(bucket.name, context.key));
  const uploadId = context.query.get('uploadId') ?? '';
  const upload = await readUpload(bucket, uploadId, context.key);
  const marker = Number(context.query.get('part-number-marker') ?? '0');
  const max = Math.min(Number(context.query.get('max-parts') ?? '1000'), 1000);
  const after = (await readParts(bucket, uploadId)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, max);
  sendXml(
    context,
    200,
    xmlDocument('ListPartsResult', {
      Bucket: bucket.name,
      Key: context.key,
      UploadId: uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page[page.length - 1]?.partNumber ?? 0,
      MaxParts: max,
      IsTruncated: after.length > page.length,
      ChecksumAlgorithm: upload.checksumAlgorithm,
      ChecksumType: upload.checksumAlgorithm === undefined ? undefined : upload.checksumType,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified,
        ETag: p.etag,
        Size: p.size,
        ...(p.checksum === undefined ? {} : { [`Checksum${p.checksum.algorithm}`]: p.checksum.value }),
      })),
    }),
  );
}

export async function abortMultipartUpload(context: S3Context, bucket: Bucket): Promise<void> {
  authorize(context, 's3:AbortMultipartUpload', objectArn(bucket.name, context.key));
  context.request.resume();
  const uploadId = context.query.get('uploadId') ?? '';
  await readUpload(bucket, uploadId, context.key);
  await rm(bucket.multipartDir(uploadId), { recursive: true, force: true });
  sendEmpty(context, 204);
}

export async function listMultipartUploads(context: S3Context, bucket: Bucket): Promise<void> {
  authorize(context, 's3:ListBucketMultipartUploads', bucketArn(bucket.name));
  const prefix = context.query.get('prefix') ?? '';
  const uploads: UploadRecord[] = [];
  for (const uploadId of await readdir(join(bucket.dir, 'multipart'))) {
    const text = await readFile(join(bucket.multipartDir(uploadId), 'upload.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const upload = JSON.parse(text) as UploadRecord;
    if (upload.key.startsWith(prefix)) uploads.push(upload);
  }
  uploads.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.initiated.localeCompare(b.initiated));
  sendXml(
    context,
    200,
    xmlDocument('ListMultipartUploadsResult', {
      Bucket: bucket.name,
      KeyMarker: '',
      UploadIdMarker: '',
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads.slice(0, 1000).map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: u.initiated, StorageClass: 'STANDARD' })),
    }),
  );
}

export async function completeMultipartUpload(context: S3Context, bucket: Bucket): Promise<void> {
  authorize(context, 's3:PutObject', objectArn(bucket.name, context.key));
  const uploadId = context.query.get('uploadId') ?? '';
  const upload = await readUpload(bucket, uploadId, context.key);
  const text = await receiveText(context, bucket.temporaryPath());
  const listed = asArray(parseXml(text, 'CompleteMultipartUpload')['Part']).map((entry) => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const number = Number(asText(fields['PartNumber']));
    const etag = asText(fields['ETag']);
    if (!Number.isInteger(number) || etag === undefined) throw malformedXml();
    return { number, etag: etag.startsWith('"') ? etag : `"${etag}"` };
  });
  if (listed.length === 0) throw malformedXml();
  for (let i = 1; i < listed.length; i += 1) if ((listed[i]?.number ?? 0) <= (listed[i - 1]?.number ?? 0)) throw invalidPartOrder();
  const stored = new Map((await readParts(bucket, uploadId)).map((p) => [p.partNumber, p]));
  const parts = listed.map(({ number, etag }, index) => {
    const part = stored.get(number);
    if (part === undefined || part.etag !== etag) throw invalidPart();
    if (index < listed.length - 1 && part.size < MIN_PART_SIZE) throw entityTooSmall();
    return part;
  });
  const size = parts.reduce((total, p) => total + p.size, 0);
  const declaredSize = context.headers['x-amz-mp-object-size'];
  if (declaredSize !== undefined && Number(declaredSize) !== size) throw invalidRequest('The provided x-amz-mp-object-size does not match the size of the object');
  checkWriteConditions(context.headers, bucket.versions(context.key), context.key);

  const algorithm = upload.checksumAlgorithm ?? 'CRC64NVME';
  const whole = checksummer(algorithm);
  const temporaryPath = bucket.temporaryPath();
  const dir = bucket.multipartDir(uploadId);
  async function* joined() {
    for (const part of parts) {
      for await (const piece of createReadStream(join(dir, `part-${part.partNumber}`))) {
        whole.update(piece as Buffer);
        yield piece as Buffer;
      }
    }
  }
  await pipeline(joined, createWriteStream(temporaryPath, { mode: 0o600 }));
  const etagDigest = createHash('md5');
  for (const part of parts) etagDigest.update(Buffer.from(part.md5Hex, 'hex'));
  let checksumValue = await whole.digest();
  if (upload.checksumType === 'COMPOSITE') {
    const composite = checksummer(algorithm);
    for (const part of parts) composite.update(Buffer.from(part.checksum?.value ?? '', 'base64'));
    checksumValue = `${await composite.digest()}-${parts.length}`;
  }
  const object = await commitObject(
    context,
    bucket,
    temporaryPath,
    {
      kind: 'object',
      lastModified: new Date().toISOString(),
      size,
      etag: `"${etagDigest.digest('hex')}-${parts.length}"`,
      contentType: upload.contentType,
      metadata: upload.metadata,
      headers: upload.headers,
      checksum: { algorithm, value: checksumValue, type: upload.checksumType },
      parts: parts.length,
    },
    'ObjectCreated:CompleteMultipartUpload',
  );
  await rm(dir, { recursive: true, force: true });
  const host = context.headers['host'] ?? '127.0.0.1';
  sendXml(
    context,
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${host}/${bucket.name}/${encodeURIComponent(context.key).replace(/%2F/g, '/')}`,
      Bucket: bucket.name,
      Key: context.key,
      ETag: object.etag,
      [`Checksum${algorithm}`]: checksumValue,
      ChecksumType: upload.checksumType,
    }),
    bucket.versioning === 'Unversioned' ? {} : { 'x-amz-version-id': object.versionId },
  );
}
