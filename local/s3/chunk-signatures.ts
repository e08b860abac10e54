/**
 * Signed streaming uploads ([HDR]): `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`. Each chunk
 * carries the signature of its bytes chained to the previous one, starting from the request's
 * own (seed) signature; a signed trailer ends the chain. Checked once the body is in its
 * temporary file, before anything is stored.
 */
import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual, parseAuthorizationHeader } from '../auth/sigv4.js';
import type { ChunkedBody } from './chunked.js';
import { signatureDoesNotMatch } from './errors.js';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface StreamingSignature {
  readonly secretAccessKey: string;
  /** The request's Authorization header: its signature is the seed. */
  readonly authorization: string;
  /** x-amz-date */
  readonly amzDate: string;
}

/** The chain of chunk signatures (and the trailer's) a correct client computes. */
export function expectedChunkSignatures(
  signing: StreamingSignature,
  chunkHashes: readonly string[],
  trailerText: string | undefined,
): { chunks: string[]; trailer: string | undefined } {
  const parsed = parseAuthorizationHeader(signing.authorization);
  if (parsed === undefined) throw signatureDoesNotMatch();
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${signing.secretAccessKey}`, parsed.date), parsed.region), parsed.service), 'aws4_request');
  let previous = parsed.signature;
  const chunks = chunkHashes.map((hash) => {
    previous = hmac(key, ['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, scope, previous, EMPTY_SHA256, hash].join('\n')).toString('hex');
    return previous;
  });
  const trailer =
    trailerText === undefined ? undefined : hmac(key, ['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, scope, previous, sha256Hex(trailerText)].join('\n')).toString('hex');
  return { chunks, trailer };
}

/** Throws SignatureDoesNotMatch unless every chunk (and the trailer, when signed) is signed right. */
export function verifyChunkSignatures(signing: StreamingSignature, body: ChunkedBody, withTrailer: boolean): void {
  const expected = expectedChunkSignatures(signing, body.chunkHashes, withTrailer ? body.trailerText() : undefined);
  const sent = body.signatures;
  if (sent.length !== expected.chunks.length || expected.chunks.some((signature, i) => !constantTimeEqual(signature, sent[i] ?? ''))) {
    throw signatureDoesNotMatch();
  }
  if (withTrailer && !constantTimeEqual(expected.trailer ?? '', body.trailers.get('x-amz-trailer-signature') ?? '')) throw signatureDoesNotMatch();
}
