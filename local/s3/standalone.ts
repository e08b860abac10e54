/**
 * The local S3 on a loopback port of its own, for tests and tools that need S3 without the whole
 * stack: the same store and checks the stack runs, behind the same gateway.
 */
import { mkdir } from 'node:fs/promises';
import { createS3Gateway } from '../http/s3-gateway.js';
import type { S3Principal } from './access.js';
import type { S3EventListener } from './events.js';
import { createLocalS3 } from './index.js';
import type { BucketConfig } from './store.js';

export interface StandaloneS3Options {
  readonly directory: string;
  readonly buckets: readonly BucketConfig[];
  /** The only callers; anything else is refused. */
  readonly principals: readonly S3Principal[];
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly region?: string;
}

export interface StandaloneS3 {
  /** e.g. http://127.0.0.1:4568; use as AWS_ENDPOINT_URL_S3. */
  readonly endpoint: string;
  onObjectCreated(listener: S3EventListener): () => void;
  onObjectRemoved(listener: S3EventListener): () => void;
  stop(): Promise<void>;
}

export async function startStandaloneS3(options: StandaloneS3Options): Promise<StandaloneS3> {
  await mkdir(options.directory, { recursive: true });
  const byKey = new Map(options.principals.map((p) => [p.accessKeyId, p]));
  const s3 = await createLocalS3({
    directory: options.directory,
    buckets: options.buckets,
    principals: (id) => byKey.get(id),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  const gateway = createS3Gateway({ handle: s3.handle });
  const port = await gateway.listen(options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    onObjectCreated: (listener) => s3.onObjectCreated(listener),
    onObjectRemoved: (listener) => s3.onObjectRemoved(listener),
    stop: () => gateway.close(),
  };
}
