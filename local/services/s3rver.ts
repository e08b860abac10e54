/**
 * s3rver (an S3 emulator) on 127.0.0.1, with the given buckets, and its object-created
 * notifications in the shape Lambda receives from S3.
 *
 * Fidelity notes:
 * - s3rver does not verify SigV4 signatures (header or presigned): it only checks that the
 *   access key id is known and the URL is not expired. A presigned PUT with another content
 *   type or length is therefore accepted locally (S3 rejects it).
 * - Path-style addressing: the endpoint is an IP, so the AWS SDK uses path style by itself.
 * - s3rver puts the raw key in its events; here it is URL-encoded as S3 does (`+` for spaces).
 */
import { mkdir } from 'node:fs/promises';
import type { EventEmitter } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { S3Event, S3EventRecord } from 'aws-lambda';

const require = createRequire(import.meta.url);

/** The part of s3rver's (untyped) API used here. */
interface S3rverInstance extends EventEmitter {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  /** Koa's request listener: s3rver's whole middleware stack, for a server of ours to call. */
  callback(): RequestListener;
  httpServer?: Server;
  store: SubresourceStore;
}

/** The part of s3rver's FilesystemStore that holds bucket configurations (CORS, website, ...). */
interface SubresourceStore {
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  reset(): void;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
interface S3rverAccountModule {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

const S3rver = require('s3rver') as S3rverConstructor;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as S3rverAccountModule;

export interface S3rverOptions {
  /** Default: a free port. */
  readonly port?: number;
  /** Where objects are stored. */
  readonly directory: string;
  /** Created on start (kept if they exist). */
  readonly buckets: readonly string[];
  /**
   * Access key ids accepted besides s3rver's own `S3RVER` (any secret works, as signatures are
   * not verified). Default: AWS_ACCESS_KEY_ID of this process, when set.
   */
  readonly accessKeyIds?: readonly string[];
  /** Allow browser uploads from any origin (CORS on every bucket). Default true. */
  readonly cors?: boolean;
  /** `awsRegion` of the events. Default: AWS_REGION of this process, else us-east-1. */
  readonly region?: string;
  /** Log every request. Default false. */
  readonly verbose?: boolean;
}

export type ObjectCreatedListener = (event: S3Event) => void | Promise<void>;

export interface RunningS3rver {
  /** e.g. http://127.0.0.1:4568; use as AWS_ENDPOINT_URL_S3. */
  readonly endpoint: string;
  readonly port: number;
  readonly server: S3rverInstance;
  /** s3rver's request listener, for a server in this process to hand requests to without a socket hop. */
  readonly handle: RequestListener;
  /**
   * Calls `listener` with an S3 event for every object created (Put, Post, Copy, multipart).
   * A listener's error (or rejection) is reported with console.error and does not affect the
   * request. Returns a function that removes the listener.
   */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  stop(): Promise<void>;
}

const CORS_ANY_ORIGIN = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export async function startS3rver(options: S3rverOptions): Promise<RunningS3rver> {
  await mkdir(options.directory, { recursive: true });
  const accessKeyIds =
    options.accessKeyIds ?? (process.env['AWS_ACCESS_KEY_ID'] ? [process.env['AWS_ACCESS_KEY_ID']] : []);
  for (const accessKeyId of accessKeyIds) DUMMY_ACCOUNT.createKeyPair(accessKeyId, 'not-verified');

  const cors = options.cors ?? true;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: !(options.verbose ?? false),
    configureBuckets: options.buckets.map((name) => ({
      name,
      configs: cors ? [CORS_ANY_ORIGIN] : [],
    })),
  });
  cacheBucketConfigurations(server.store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const region = options.region ?? process.env['AWS_REGION'] ?? 'us-east-1';

  const onObjectCreated = (listener: ObjectCreatedListener) => {
    const onEvent = (raw: unknown) => {
      const event = toS3Event(raw, region);
      if (event === null) return;
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: unknown) => console.error('s3rver object-created listener failed', error));
    };
    server.on('event', onEvent);
    return () => {
      server.off('event', onEvent);
    };
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    server.httpServer?.closeAllConnections?.();
    await server.close();
  };

  return { endpoint, port, server, handle: server.callback(), onObjectCreated, stop };
}

/**
 * s3rver's CORS and website middleware read the bucket's configuration file from disk on every
 * request (a quarter of its file system calls under load). Bucket configurations change only
 * through s3rver's own API, which goes through this store: keep them in memory and forget one
 * when it is written or deleted.
 */
function cacheBucketConfigurations(store: SubresourceStore): void {
  const cache = new Map<string, Promise<unknown>>();
  const keyOf = (bucket: string, type: string) => `${bucket}\u0000${type}`;
  const { getSubresource, putSubresource, deleteSubresource, deleteBucket, reset } = store;
  store.getSubresource = (bucket, key, type) => {
    if (key !== undefined) return getSubresource.call(store, bucket, key, type);
    const cacheKey = keyOf(bucket, type);
    let config = cache.get(cacheKey);
    if (config === undefined) {
      config = getSubresource.call(store, bucket, key, type);
      cache.set(cacheKey, config);
      config.catch(() => cache.delete(cacheKey));
    }
    return config;
  };
  store.putSubresource = async (bucket, key, resource) => {
    if (key === undefined) cache.delete(keyOf(bucket, resource.type));
    await putSubresource.call(store, bucket, key, resource);
    if (key === undefined) cache.delete(keyOf(bucket, resource.type));
  };
  store.deleteSubresource = async (bucket, key, type) => {
    if (key === undefined) cache.delete(keyOf(bucket, type));
    await deleteSubresource.call(store, bucket, key, type);
    if (key === undefined) cache.delete(keyOf(bucket, type));
  };
  store.deleteBucket = async (bucket) => {
    await deleteBucket.call(store, bucket);
    for (const cacheKey of cache.keys()) if (cacheKey.startsWith(keyOf(bucket, ''))) cache.delete(cacheKey);
  };
  store.reset = () => {
    cache.clear();
    reset.call(store);
  };
}

/** S3's encoding of keys in notifications: URL-encoded per segment, `+` for spaces. */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

interface RawS3rverRecord {
  eventName?: unknown;
  eventTime?: unknown;
  requestParameters?: { sourceIPAddress?: unknown };
  responseElements?: Record<string, unknown>;
  userIdentity?: { principalId?: unknown };
  s3?: {
    bucket?: { name?: unknown; arn?: unknown; ownerIdentity?: { principalId?: unknown } };
    object?: { key?: unknown; size?: unknown; eTag?: unknown; sequencer?: unknown };
  };
}

/** s3rver's event, normalised to what S3 sends Lambda; null for non-creation events. */
function toS3Event(raw: unknown, region: string): S3Event | null {
  const records = (raw as { Records?: RawS3rverRecord[] } | null)?.Records ?? [];
  const created: S3EventRecord[] = [];
  for (const record of records) {
    const eventName = String(record.eventName ?? '');
    if (!eventName.startsWith('ObjectCreated:')) continue;
    const bucket = String(record.s3?.bucket?.name ?? '');
    const object = record.s3?.object ?? {};
    created.push({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: String(record.eventTime ?? new Date().toISOString()),
      eventName,
      userIdentity: { principalId: String(record.userIdentity?.principalId ?? 'AWS:LOCAL') },
      requestParameters: { sourceIPAddress: String(record.requestParameters?.sourceIPAddress ?? '127.0.0.1') },
      responseElements: {
        'x-amz-request-id': String(record.responseElements?.['x-amz-request-id'] ?? ''),
        'x-amz-id-2': String(record.responseElements?.['x-amz-id-2'] ?? ''),
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'local',
        bucket: {
          name: bucket,
          ownerIdentity: { principalId: String(record.s3?.bucket?.ownerIdentity?.principalId ?? 'LOCAL') },
          arn: `arn:aws:s3:::${bucket}`,
        },
        object: {
          key: encodeS3EventKey(String(object.key ?? '')),
          size: typeof object.size === 'number' ? object.size : Number(object.size ?? 0),
          eTag: String(object.eTag ?? ''),
          sequencer: String(object.sequencer ?? ''),
        },
      },
    });
  }
  return created.length === 0 ? null : { Records: created };
}
