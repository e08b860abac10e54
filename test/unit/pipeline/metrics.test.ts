/**
 * Powertools metrics of the pipeline's functions: each invocation writes one CloudWatch embedded
 * metric format (EMF) document to stdout, in the POWERTOOLS_METRICS_NAMESPACE namespace, with the
 * function's service (and step) as dimensions. Runs the real handlers over in-memory ports.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { originalKey } from '../../../resolvers/files/domain/keys.js';
import { Notifier } from '../../../resolvers/files/domain/notifier.js';
import type { FileStatusMessage } from '../../../resolvers/files/domain/ports.js';
import { createNotifyHandler } from '../../../resolvers/files/handlers/notify.js';
import { createStepHandler } from '../../../resolvers/files/handlers/pipeline-step.js';
import { OWNER, lambdaContext, pendingRecord, s3Event } from '../resolvers/helpers/factories.js';
import {
  FixedClock,
  InMemoryObjectStore,
  RecordingNotifications,
  RecordingPublisher,
} from '../resolvers/helpers/fakes.js';
import * as images from '../resolvers/helpers/images.js';
import { AnnouncingFileRepository, inMemoryStepRuntime, sqsRecord } from './fakes.js';

const NAMESPACE = 'UploadPipeline';
const BUCKET = 'uploads';
const ID = '5c4b3a29-1807-4f6e-9d5c-4b3a29180706';
const KEY = originalKey(OWNER, ID);
const ENV = ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV'] as const;

interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  readonly [name: string]: unknown;
}


describe('EMF metrics per invocation of the pipeline functions', () => {
  const saved: Partial<Record<(typeof ENV)[number], string>> = {};
  let stdout: string[];

  beforeEach(() => {
    for (const name of ENV) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    // What the CDK sets on every pipeline function (infra/constructs/upload-pipeline.ts).
    process.env['POWERTOOLS_METRICS_NAMESPACE'] = NAMESPACE;
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  /** The EMF documents written to stdout since `from` (log lines are JSON too, without `_aws`). */
  function emfDocuments(from = 0): EmfDocument[] {
    return stdout
      .slice(from)
      .join('')
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((document): document is EmfDocument => typeof document['_aws'] === 'object');
  }

  function expectOneDocument(documents: EmfDocument[], service: string, metrics: Record<string, number>): void {
    expect(documents).toHaveLength(1);
    const [document] = documents;
    const [directive] = document!._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(NAMESPACE);
    expect(directive?.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'step']));
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining(Object.keys(metrics).map((name) => ({ Name: name, Unit: 'Count' }))),
    );
    expect(document).toMatchObject({ service, step: service, ...metrics });
  }

  it('given the PROCESS function, when it handles a message and then its duplicate, then each invocation writes one EMF document with Messages and the step\'s own counts', async () => {
    const repository = new AnnouncingFileRepository();
    const store = new InMemoryObjectStore();
    const bytes = await images.jpeg();
    await repository.create(pendingRecord({ id: ID, size: bytes.length }));
    await store.putObject({ key: KEY, body: bytes, contentType: 'image/jpeg' });
    const runtime = inMemoryStepRuntime(BUCKET, repository, store);
    const handler = createStepHandler('PROCESS', 'process-upload', () => runtime);
    const event: SQSEvent = { Records: [sqsRecord('m-1', JSON.stringify(s3Event(BUCKET, KEY)))] };

    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expectOneDocument(emfDocuments(), 'process-upload', { Messages: 1, MetadataWrites: 1 });

    // The same S3 event again (Powertools idempotency returns the first outcome): still one document.
    const from = stdout.length;
    expect(await handler({ Records: [sqsRecord('m-2', JSON.stringify(s3Event(BUCKET, KEY)))] }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const second = emfDocuments(from);
    expectOneDocument(second, 'process-upload', { Messages: 1 });
    expect(second[0]).not.toHaveProperty('MetadataWrites');
  });

  it('given the notify function, when it announces a READY file, then one EMF document with Messages and ReadyAnnounced', async () => {
    const repository = new AnnouncingFileRepository();
    const sequencer = '0055AED6DCD90281E5';
    await repository.create(pendingRecord({ id: ID, status: 'READY', sequencer }));
    const notifications = new RecordingNotifications();
    const notifier = new Notifier({ repository, events: new RecordingPublisher(), notifications, clock: new FixedClock() });
    const handler = createNotifyHandler('notify', () => ({ notifier }));
    const message: FileStatusMessage = { fileId: ID, owner: OWNER, status: 'READY', sequencer, correlationId: 'c-1', error: null };

    expect(await handler({ Records: [sqsRecord('n-1', JSON.stringify(message))] }, lambdaContext({ functionName: 'notify' }))).toEqual({
      batchItemFailures: [],
    });

    expectOneDocument(emfDocuments(), 'notify', { Messages: 1, ReadyAnnounced: 1 });
    expect(notifications.sent).toHaveLength(1);
  });
});
