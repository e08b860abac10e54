/**
 * `Content-Encoding: aws-chunked` bodies ([HDR][CKU]): `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n`
 * chunks, a zero-size chunk, then the trailing headers (`x-amz-checksum-crc32:<base64>`) and an
 * empty line. The object is the chunks' bytes only: storing the encoding as data corrupts it [B4435].
 */
import { createHash, type Hash } from 'node:crypto';
import { S3Error } from './errors.js';

const incomplete = () => new S3Error('IncompleteBody', 400, 'The request body terminated unexpectedly');
const malformedChunk = () => new S3Error('InvalidChunkSizeError', 400, 'Only the last chunk is allowed to have a size less than 8192 bytes');

export interface ChunkedBody {
  /** The decoded bytes, chunk by chunk. */
  readonly data: AsyncGenerator<Buffer>;
  /** Lower-case trailer names to values; complete once `data` is exhausted. */
  readonly trailers: Map<string, string>;
  /** Each chunk's `chunk-signature`, in order, the final zero-size chunk's included (signed streaming uploads). */
  readonly signatures: string[];
  /** The SHA-256 (hex) of each chunk's bytes, in the same order. */
  readonly chunkHashes: string[];
  /** The trailer as sent (`name:value\n` per header, signature line excluded), for its signature. */
  trailerText(): string;
}

const CRLF = Buffer.from('\r\n');
const EMPTY_SHA256 = createHash('sha256').digest('hex');
/** A chunk header is a hex size and an optional signature extension: far under this. */
const MAX_HEADER_LINE = 4096;

/** `hashChunks`: keep each chunk's SHA-256, for signed chunks. */
export function decodeAwsChunked(source: AsyncIterable<Buffer | string>, options: { hashChunks?: boolean } = {}): ChunkedBody {
  const trailers = new Map<string, string>();
  const signatures: string[] = [];
  const chunkHashes: string[] = [];
  const trailerLines: string[] = [];
  let chunkHash: Hash | undefined;
  async function* data(): AsyncGenerator<Buffer> {
    let pending = Buffer.alloc(0);
    let remaining = -1; // bytes of the current chunk still to come; -1: expecting a chunk header
    let inTrailers = false;
    let done = false;
    for await (const piece of source) {
      pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, Buffer.from(piece)]);
      while (!done) {
        if (remaining > 0) {
          if (pending.length === 0) break;
          const take = Math.min(remaining, pending.length);
          chunkHash?.update(pending.subarray(0, take));
          yield pending.subarray(0, take);
          pending = pending.subarray(take);
          remaining -= take;
          if (remaining > 0) break;
          if (chunkHash !== undefined) chunkHashes.push(chunkHash.digest('hex'));
          remaining = -2; // the CRLF after the chunk's bytes
        }
        if (remaining === -2) {
          if (pending.length < 2) break;
          if (!pending.subarray(0, 2).equals(CRLF)) throw incomplete();
          pending = pending.subarray(2);
          remaining = -1;
        }
        const end = pending.indexOf(CRLF);
        if (end < 0) {
          if (pending.length > MAX_HEADER_LINE) throw malformedChunk();
          break;
        }
        const line = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 2);
        if (inTrailers) {
          if (line === '') {
            done = true;
            break;
          }
          const colon = line.indexOf(':');
          if (colon < 0) throw incomplete();
          const name = line.slice(0, colon).trim().toLowerCase();
          trailers.set(name, line.slice(colon + 1).trim());
          if (name !== 'x-amz-trailer-signature') trailerLines.push(`${name}:${line.slice(colon + 1).trim()}\n`);
          continue;
        }
        const [sizeText = '', ...extensions] = line.split(';');
        if (!/^[0-9a-fA-F]+$/.test(sizeText.trim())) throw malformedChunk();
        for (const extension of extensions) {
          const [name, value] = extension.split('=');
          if (name?.trim() === 'chunk-signature' && value !== undefined) signatures.push(value.trim());
        }
        const size = Number.parseInt(sizeText, 16);
        if (size === 0) {
          chunkHashes.push(EMPTY_SHA256);
          inTrailers = true;
          continue;
        }
        chunkHash = options.hashChunks === true ? createHash('sha256') : undefined;
        remaining = size;
      }
      if (done) break;
    }
    // A body may end right after the last chunk's CRLF when it has no trailer.
    if (!done && !(inTrailers && pending.length === 0)) throw incomplete();
  }
  return { data: data(), trailers, signatures, chunkHashes, trailerText: () => trailerLines.join('') };
}
