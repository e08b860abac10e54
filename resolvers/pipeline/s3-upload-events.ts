/**
 * The S3 notification side of the pipeline: which records to process and with what key. Kept
 * apart from the Lambda entry so that the local stack's s3rver bridge and tests can use it.
 */
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey } from '../files/keys.js';
import type { PipelineLog, PipelineOutcome, UploadPipeline } from '../files/upload-pipeline.js';

export interface S3EventRunnerOptions {
  readonly pipeline: UploadPipeline;
  /** Only this bucket's events are processed (UPLOADS_BUCKET). */
  readonly bucket: string;
  readonly log: PipelineLog;
}

/**
 * Processes every ObjectCreated record of the event, one after the other. A transient error on
 * one record does not stop the others; the first such error is rethrown at the end so Lambda
 * retries the event (records already finished are then skipped as duplicates).
 */
export async function processS3Event(event: S3Event, options: S3EventRunnerOptions): Promise<PipelineOutcome[]> {
  const outcomes: PipelineOutcome[] = [];
  const failures: unknown[] = [];
  for (const record of event.Records ?? []) {
    if (!record.eventName?.startsWith('ObjectCreated:')) {
      options.log.info('Ignoring a non-creation event', { eventName: record.eventName });
      continue;
    }
    if (record.s3.bucket.name !== options.bucket) {
      options.log.warn('Ignoring an event of another bucket', { bucket: record.s3.bucket.name });
      continue;
    }
    const key = decodeS3EventKey(record.s3.object.key);
    if (key === null) {
      options.log.warn('Ignoring an event with a malformed key', { key: record.s3.object.key });
      continue;
    }
    try {
      outcomes.push(await options.pipeline.process(key));
    } catch (error) {
      options.log.error('Transient failure processing an upload; the event will be retried', { key, error });
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
  return outcomes;
}
