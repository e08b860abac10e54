/**
 * A request body received as S3 receives it: decoded (aws-chunked), counted, hashed and written to
 * a temporary file in the store's folder, then verified against what the request declared
 * (x-amz-content-sha256, Content-MD5, x-amz-checksum-*, the trailer, the lengths). A body that
 * fails any check is deleted: nothing is written.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CONTENT_SHA_HEADER, PAYLOAD_HASH } from '../auth/sigv4.js';
import { type ChecksumAlgorithm, checkDigestFormat, checksumHeader, checksummer, declaredChecksum } from './checksums.js';
import { type StreamingSignature, verifyChunkSignatures } from './chunk-signatures.js';
import { decodeAwsChunked } from './chunked.js';
import { S3Error, badDigest, contentShaMismatch, incompleteBody, invalidDigest, notImplemented } from './errors.js';

export interface ReceivedBody {
  readonly path: string;
  readonly size: number;
  readonly md5Hex: string;
  /** The declared checksum (verified), or the default algorithm's; undefined when neither. */
  readonly checksum: { readonly algorithm: ChecksumAlgorithm; readonly value: string } | undefined;
}

export interface BodyOptions {
  /** Lower-case headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Where to write it (a temporary name in the store's folder). */
  readonly path: string;
  /**
   * The checksum to compute when the client sends none (a multipart upload's algorithm). Without
   * one, none is computed here: the object's CRC64NVME is computed when first asked for
   * (objects-read.ts), which keeps it off every upload's path.
   */
  readonly defaultAlgorithm?: ChecksumAlgorithm;
  /** The caller's secret, to check signed chunks (header-signed requests only). */
  readonly secretAccessKey?: string;
}

const MAX_SINGLE_PUT = 5 * 1024 ** 3;

export async function receiveBody(request: AsyncIterable<Buffer> & Pick<IncomingMessage, 'headers'>, options: BodyOptions): Promise<ReceivedBody> {
  const { headers } = options;
  const payload = headers[CONTENT_SHA_HEADER] ?? PAYLOAD_HASH.unsigned;
  const chunked = payload.startsWith('STREAMING-') || (headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
  const signedChunks = payload === PAYLOAD_HASH.signedChunks || payload === PAYLOAD_HASH.signedChunksTrailer;
  if (chunked && payload !== PAYLOAD_HASH.unsignedTrailer && !signedChunks) {
    // SigV4A (ECDSA) chunks and unknown modes.
    throw notImplemented(`${CONTENT_SHA_HEADER}: ${payload}`);
  }
  const authorization = headers['authorization'];
  const amzDate = headers['x-amz-date'];
  const signing: StreamingSignature | undefined =
    signedChunks && options.secretAccessKey !== undefined && authorization !== undefined && amzDate !== undefined
      ? { secretAccessKey: options.secretAccessKey, authorization, amzDate }
      : undefined;
  if (signedChunks && signing === undefined) throw new S3Error('InvalidRequest', 400, `${payload} needs a request signed in the Authorization header`);
  const signedSha = !chunked && payload !== PAYLOAD_HASH.unsigned ? payload : undefined;
  if (signedSha !== undefined && !/^[0-9a-f]{64}$/.test(signedSha)) {
    throw new S3Error('InvalidArgument', 400, 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.');
  }
  const contentMd5 = headers['content-md5'];
  if (contentMd5 !== undefined && Buffer.from(contentMd5, 'base64').length !== 16) throw invalidDigest();
  const declaredLengthText = chunked ? headers['x-amz-decoded-content-length'] : headers['content-length'];
  const declaredLength = declaredLengthText === undefined ? undefined : Number(declaredLengthText);
  if (declaredLength !== undefined && !(Number.isSafeInteger(declaredLength) && declaredLength >= 0)) {
    throw new S3Error('InvalidArgument', 400, 'Content-Length must be a non-negative number');
  }
  if (declaredLength !== undefined && declaredLength > MAX_SINGLE_PUT) {
    throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size');
  }
  const declared = declaredChecksum(headers);
  const algorithm = declared?.algorithm ?? options.defaultAlgorithm;

  const md5 = createHash('md5');
  const sha = signedSha === undefined ? undefined : createHash('sha256');
  const sum = algorithm === undefined ? undefined : checksummer(algorithm);
  let size = 0;
  const decoded = chunked ? decodeAwsChunked(request, { hashChunks: signing !== undefined }) : undefined;
  const source = decoded?.data ?? request;
  async function* measured() {
    for await (const piece of source) {
      const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
      size += bytes.length;
      if (size > MAX_SINGLE_PUT) throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size');
      md5.update(bytes);
      sha?.update(bytes);
      sum?.update(bytes);
      yield bytes;
    }
  }
  try {
    await pipeline(measured, createWriteStream(options.path, { mode: 0o600 }));
    if (signing !== undefined && decoded !== undefined) verifyChunkSignatures(signing, decoded, payload === PAYLOAD_HASH.signedChunksTrailer);
    if (declaredLength !== undefined && size !== declaredLength) throw incompleteBody();
    if (sha !== undefined && signedSha !== undefined) {
      const computed = sha.digest('hex');
      if (computed !== signedSha) throw contentShaMismatch(signedSha, computed);
    }
    const md5Digest = md5.digest();
    if (contentMd5 !== undefined && md5Digest.toString('base64') !== contentMd5) throw badDigest();
    const value = await sum?.digest();
    if (declared !== undefined) {
      const claimed = declared.value ?? decoded?.trailers.get(checksumHeader(declared.algorithm));
      if (claimed === undefined) throw new S3Error('InvalidRequest', 400, 'The trailing checksum named in x-amz-trailer was not sent.');
      checkDigestFormat(declared.algorithm, claimed);
      if (claimed !== value) throw badDigest();
    }
    const checksum = algorithm === undefined || value === undefined ? undefined : { algorithm, value };
    return { path: options.path, size, md5Hex: md5Digest.toString('hex'), checksum };
  } catch (error) {
    await rm(options.path, { force: true });
    if (error instanceof S3Error) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
      throw incompleteBody();
    }
    throw error;
  }
}

/** Drains a body that will not be used, so the connection can answer and be reused. */
/**
 * A body that is a document (the XML of DeleteObjects, CompleteMultipartUpload, PutBucketCors),
 * received and verified as any body is, as text; `limit` refuses a larger one.
 */
export async function receiveText(
  context: { readonly request: IncomingMessage; readonly headers: Readonly<Record<string, string>>; readonly principal: { readonly secretAccessKey: string } },
  temporaryPath: string,
  limit?: { readonly maxBytes: number; readonly refuse: () => Error },
): Promise<string> {
  const received = await receiveBody(context.request, { headers: context.headers, path: temporaryPath, secretAccessKey: context.principal.secretAccessKey });
  try {
    if (limit && received.size > limit.maxBytes) throw limit.refuse();
    return await readFile(received.path, 'utf8');
  } finally {
    await rm(received.path, { force: true });
  }
}

export const discardBody = (request: IncomingMessage): void => {
  request.resume();
};
