/**
 * SHA-256 and HMAC-SHA-256 with node:crypto, for `@smithy/signature-v4` (its `sha256`): much
 * faster than the pure-JS default on a request's hot path. The S3 URL signer and the local
 * stack's SigV4 verification both use it.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** What the SigV4 signer hashes and keys its HMACs with. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and HMAC-SHA-256 with node:crypto: the SigV4 signer's `sha256` (a Checksum). */
export class NodeSha256 {
  #hash: Hash | Hmac;
  readonly #secret: SourceData | undefined;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = NodeSha256.#create(secret);
  }

  static #create(secret: SourceData | undefined): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  reset(): void {
    this.#hash = NodeSha256.#create(this.#secret);
  }
}
