/** ObjectStore on one S3 bucket (the uploads bucket). */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectStore, PresignPutRequest } from '../files/ports.js';
import { SizeMismatchError } from '../shared/errors.js';

export interface S3ObjectStoreOptions {
  /** Create it with `createS3Client` (clients.ts) so presigned PUTs carry no checksum. */
  readonly client: S3Client;
  readonly bucket: string;
}

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3ObjectStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  /**
   * Content-Type and Content-Length are signed headers: a PUT with another type or length
   * fails the signature check (on S3; s3rver does not verify SigV4 signatures).
   */
  presignPut(request: PresignPutRequest): Promise<string> {
    return getSignedUrl(
      this.#client,
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: request.key,
        ContentType: request.contentType,
        ContentLength: request.contentLength,
      }),
      {
        expiresIn: request.expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length']),
      },
    );
  }

  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.#bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }

  async getObject(key: string, options: { maxBytes: number }): Promise<Uint8Array> {
    const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    const body = response.Body;
    if (body === undefined) return new Uint8Array();
    const length = response.ContentLength;
    if (length !== undefined && length > options.maxBytes) {
      // Do not download what will be rejected anyway.
      await body.transformToWebStream().cancel().catch(() => undefined);
      throw new SizeMismatchError(options.maxBytes, length);
    }
    return body.transformToByteArray();
  }

  async putObject(request: { key: string; body: Uint8Array; contentType: string }): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: request.key,
        Body: request.body,
        ContentType: request.contentType,
        ContentLength: request.body.byteLength,
      }),
    );
  }
}
