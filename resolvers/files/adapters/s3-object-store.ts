/**
 * ObjectStore on one S3 bucket (the uploads bucket), through the S3 client: the pipeline's and
 * the file changes API's. It does not presign: presigned URLs come from s3-url-signer.ts, which
 * needs no S3 client.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectHead, ObjectStore } from '../domain/ports.js';
import { ObjectNotFoundError, SizeMismatchError } from '../domain/errors.js';

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound'));

export interface S3ObjectStoreOptions {
  /**
   * Create it with `createS3Client` (./aws-clients.ts), as the handlers do: checksums only when an
   * operation requires them, and path-style addressing on an IP endpoint (the local stack).
   */
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

  async getObject(key: string, options: { maxBytes: number }): Promise<Uint8Array> {
    let response;
    try {
      response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(key, { cause: error });
      throw error;
    }
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

  async headObject(key: string): Promise<ObjectHead | null> {
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        size: response.ContentLength ?? 0,
        metadata: Object.fromEntries(Object.entries(response.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async copyObject(request: { from: string; to: string; metadata?: Readonly<Record<string, string>> }): Promise<void> {
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: request.to,
          CopySource: `${this.#bucket}/${request.from.split('/').map(encodeURIComponent).join('/')}`,
          ...(request.metadata === undefined ? {} : { Metadata: { ...request.metadata }, MetadataDirective: 'REPLACE' }),
        }),
      );
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(request.from, { cause: error });
      throw error;
    }
  }

  async deleteObject(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async deleteVersion(key: string, versionId: string | null): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key, ...(versionId === null ? {} : { VersionId: versionId }) }));
  }

  async deleteEveryVersion(scope: { readonly key: string } | { readonly prefix: string }): Promise<number> {
    const prefix = 'key' in scope ? scope.key : scope.prefix;
    // A key's prefix also matches longer keys (`uploads/o/a` and `uploads/o/ab`): keep the exact key only.
    const wanted = (key: string | undefined) => key !== undefined && ('key' in scope ? key === scope.key : key.startsWith(scope.prefix));
    let removed = 0;
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    // Each page is deleted before the next is listed; listing again from the start would work too,
    // but the markers keep a bucket with many versions to one pass.
    for (;;) {
      const page = await this.#client.send(
        new ListObjectVersionsCommand({
          Bucket: this.#bucket,
          Prefix: prefix,
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(versionIdMarker === undefined ? {} : { VersionIdMarker: versionIdMarker }),
        }),
      );
      const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
        .filter((v) => wanted(v.Key))
        .map((v) => ({ Key: v.Key ?? '', ...(v.VersionId === undefined ? {} : { VersionId: v.VersionId }) }));
      for (let i = 0; i < versions.length; i += 1000) {
        const batch = versions.slice(i, i + 1000);
        const result = await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch, Quiet: true } }));
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(`Could not delete ${failed.length} object versions (first: ${first?.Key} ${first?.VersionId}: ${first?.Code} ${first?.Message})`);
        }
        removed += batch.length;
      }
      if (page.IsTruncated !== true) return removed;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }
}
