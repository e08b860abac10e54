/**
 * The PROCESS/THUMBNAIL functions' handler over in-memory ports: what one delivery costs in calls
 * (the file record read once, no HEAD on the object) and the correlation id its log lines carry.
 * Log lines are observed on stdout, as Powertools writes them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { originalKey, thumbnailKey } from '../../../resolvers/files/domain/keys.js';
import { createStepHandler } from '../../../resolvers/files/handlers/pipeline-step.js';
import { OWNER, lambdaContext, pendingRecord, s3Event } from '../resolvers/helpers/factories.js';
import { InMemoryObjectStore } from '../resolvers/helpers/fakes.js';
import * as images from '../resolvers/helpers/images.js';
import { AnnouncingFileRepository, inMemoryStepRuntime, sqsRecord } from './fakes.js';

const BUCKET = 'uploads';
const ID = '8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968';
const KEY = originalKey(OWNER, ID);


describe('the step handler: one delivery of an S3 event', () => {
  let stdout: string[];
  let repository: AnnouncingFileRepository;
  let store: InMemoryObjectStore;
  const ENV = ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_NAMESPACE'] as const;
  const saved: Partial<Record<(typeof ENV)[number], string>> = {};

  beforeEach(() => {
    for (const name of ENV) saved[name] = process.env[name];
    // Plain JSON lines, one per log entry; the namespace the CDK sets (no warning without it).
    delete process.env['POWERTOOLS_DEV'];
    process.env['POWERTOOLS_METRICS_NAMESPACE'] = 'UploadPipeline';
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    repository = new AnnouncingFileRepository();
    store = new InMemoryObjectStore();
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  /** The log lines (not EMF documents) of one SQS message. */
  function logLines(messageId: string): Record<string, unknown>[] {
    return stdout
      .join('')
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['_aws'] === undefined && line['messageId'] === messageId);
  }

  function handler() {
    const runtime = inMemoryStepRuntime(BUCKET, repository, store);
    return createStepHandler('PROCESS', 'process-upload', () => runtime);
  }

  async function upload(correlationId: string | null): Promise<void> {
    const bytes = await images.jpeg();
    await repository.create(pendingRecord({ id: ID, size: bytes.length, correlationId }));
    await store.putObject({ key: KEY, body: bytes, contentType: 'image/jpeg' });
    // What the upload's PUT carried; deliberately not the record's value, to tell the sources apart.
    store.objects.get(KEY)!.metadata['correlation-id'] = 'from-object-metadata';
  }

  it('given an upload, when its event is delivered, then no HEAD on the object, one read of the record, and every log line under the record\'s correlation id', async () => {
    await upload('req-upload-1');
    const head = vi.spyOn(store, 'headObject');
    const get = vi.spyOn(repository, 'get');
    const records = repository.records;

    const response = await handler()({ Records: [sqsRecord('m-1', JSON.stringify(s3Event(BUCKET, KEY)))] }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(head).not.toHaveBeenCalled();
    expect(get).toHaveBeenCalledTimes(1);
    expect(records.get(ID)?.steps.PROCESS?.status).toBe('DONE');
    const lines = logLines('m-1');
    expect(lines.map((line) => line['message'])).toEqual(expect.arrayContaining(['Metadata recorded', 'Step outcome']));
    expect(new Set(lines.map((line) => line['correlation_id']))).toEqual(new Set(['req-upload-1']));
  });

  it('given a record without a correlation id, when its event is delivered, then the log lines carry the message id', async () => {
    await upload(null);

    await handler()({ Records: [sqsRecord('m-2', JSON.stringify(s3Event(BUCKET, KEY)))] }, lambdaContext());

    const lines = logLines('m-2');
    expect(lines.map((line) => line['message'])).toContain('Step outcome');
    expect(new Set(lines.map((line) => line['correlation_id']))).toEqual(new Set(['m-2']));
  });

  it('given a key that is not an original upload, when its event is delivered, then no read and no HEAD, skipped under the message id', async () => {
    const head = vi.spyOn(store, 'headObject');
    const get = vi.spyOn(repository, 'get');

    const response = await handler()(
      { Records: [sqsRecord('m-3', JSON.stringify(s3Event(BUCKET, thumbnailKey(OWNER, ID))))] },
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(head).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
    const outcome = logLines('m-3').find((line) => line['message'] === 'Step outcome');
    expect(outcome).toMatchObject({ correlation_id: 'm-3', outcome: { outcome: 'SKIPPED', reason: 'NOT_AN_UPLOAD' } });
  });

  it('given the record read fails, when its event is delivered, then the step reads it itself and the message is logged under its id', async () => {
    await upload('req-upload-4');
    const get = vi.spyOn(repository, 'get').mockRejectedValueOnce(new Error('throttled'));
    const records = repository.records;

    const response = await handler()({ Records: [sqsRecord('m-4', JSON.stringify(s3Event(BUCKET, KEY)))] }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(get).toHaveBeenCalledTimes(2);
    expect(records.get(ID)?.steps.PROCESS?.status).toBe('DONE');
    expect(new Set(logLines('m-4').map((line) => line['correlation_id']))).toEqual(new Set(['m-4']));
  });
});
