/**
 * What the pipeline's queues carry, read from SQS records. Subscriptions deliver raw messages
 * (RawMessageDelivery), but an SNS envelope (`Type: Notification`) is unwrapped too, so a
 * subscription configured either way works.
 */
import type { S3EventRecord, SQSRecord } from 'aws-lambda';
import { decodeS3EventKey } from '../domain/keys.js';
import type { ObjectRef } from '../domain/pipeline-runs.js';
import type { FileStatusMessage } from '../domain/ports.js';

export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

function unwrap(body: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessageError('The message body is not JSON', { cause: error });
  }
  const envelope = value as { Type?: unknown; Message?: unknown } | null;
  if (envelope?.Type === 'Notification' && typeof envelope.Message === 'string') return unwrap(envelope.Message);
  return value;
}

/**
 * The ObjectCreated records of an S3 event message. S3's test event (sent when a notification is
 * configured) and other events have none. Keys come URL-encoded, as S3 sends them.
 */
export function objectRefsOf(body: string, bucket: string): ObjectRef[] {
  const value = unwrap(body) as { Records?: unknown } | null;
  if (!Array.isArray(value?.Records)) return [];
  const refs: ObjectRef[] = [];
  for (const record of value.Records as S3EventRecord[]) {
    if (record?.eventSource !== 'aws:s3' || !String(record.eventName).startsWith('ObjectCreated:')) continue;
    if (record.s3?.bucket?.name !== bucket) continue;
    const key = decodeS3EventKey(String(record.s3.object?.key ?? ''));
    if (key === null) continue;
    refs.push({
      bucket,
      key,
      sequencer: String(record.s3.object.sequencer ?? ''),
      versionId: typeof record.s3.object.versionId === 'string' ? record.s3.object.versionId : null,
    });
  }
  return refs;
}

const STATUSES = new Set(['READY', 'FAILED']);

export function statusMessageOf(body: string): FileStatusMessage {
  const value = unwrap(body) as Partial<Record<keyof FileStatusMessage, unknown>> | null;
  if (
    typeof value?.fileId !== 'string' ||
    typeof value.owner !== 'string' ||
    typeof value.status !== 'string' ||
    !STATUSES.has(value.status) ||
    typeof value.sequencer !== 'string'
  ) {
    throw new MalformedMessageError('The message is not a file status message');
  }
  return {
    fileId: value.fileId,
    owner: value.owner,
    status: value.status as 'READY' | 'FAILED',
    sequencer: value.sequencer,
    correlationId: typeof value.correlationId === 'string' ? value.correlationId : null,
    error: (value.error ?? null) as FileStatusMessage['error'],
  };
}

export const receiveCountOf = (record: Pick<SQSRecord, 'attributes'>): number =>
  Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1;

/** A message attribute's string value, from a Lambda SQS record. */
export const messageAttributeOf = (record: Pick<SQSRecord, 'messageAttributes'>, name: string): string | undefined =>
  record.messageAttributes?.[name]?.stringValue ?? undefined;
