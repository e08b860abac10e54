/**
 * Event notification records as S3 sends them ([ENS23]): one record per created or removed
 * object, the key URL-encoded form style, the ETag unquoted, a sequencer that grows per key.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';

export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

export interface ObjectEvent {
  readonly eventName: S3EventName;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Unquoted; absent on removals. */
  readonly eTag?: string;
  /** Present for versioning-enabled buckets [ENS23]. */
  readonly versionId?: string;
  readonly principalId: string;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly hostId: string;
}

export type S3EventListener = (event: S3Event) => void | Promise<void>;

/** S3's encoding of keys in notifications: URL-encoded per segment, `+` for spaces. */
export function encodeS3EventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

let sequence = BigInt(Date.now()) * 1000n;
const nextSequencer = () => {
  sequence += 1n;
  return sequence.toString(16).toUpperCase().padStart(18, '0');
};

export function toS3Event(event: ObjectEvent, region: string): S3Event {
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: new Date().toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: event.principalId },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': event.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local',
      bucket: { name: event.bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${event.bucket}` },
      object: {
        key: encodeS3EventKey(event.key),
        size: event.size,
        eTag: event.eTag ?? '',
        ...(event.versionId === undefined ? {} : { versionId: event.versionId }),
        sequencer: nextSequencer(),
      },
    },
  };
  return { Records: [record] };
}

/** Listeners by kind; a listener's failure is logged and never fails the request. */
export class EventBus {
  readonly #created = new Set<S3EventListener>();
  readonly #removed = new Set<S3EventListener>();

  constructor(
    private readonly region: string,
    private readonly log: (line: string) => void,
  ) {}

  onObjectCreated(listener: S3EventListener): () => void {
    this.#created.add(listener);
    return () => this.#created.delete(listener);
  }

  onObjectRemoved(listener: S3EventListener): () => void {
    this.#removed.add(listener);
    return () => this.#removed.delete(listener);
  }

  emit(event: ObjectEvent): void {
    const listeners = event.eventName.startsWith('ObjectCreated:') ? this.#created : this.#removed;
    if (listeners.size === 0) return;
    const s3Event = toS3Event(event, this.region);
    for (const listener of listeners) {
      Promise.resolve()
        .then(() => listener(s3Event))
        .catch((error: unknown) => this.log(`S3 ${event.eventName} listener failed: ${String(error)}`));
    }
  }
}
