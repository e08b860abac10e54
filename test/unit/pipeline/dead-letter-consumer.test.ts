/**
 * The dead-letter consumer over in-memory ports and a dead-letter queue that keeps its messages
 * (as the real one does: the consumer releases them for an operator to redrive), run again and
 * again as the schedule runs it. What is counted: status announcements, files failed.
 */
import type { ChangeMessageVisibilityBatchCommand, Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { originalKey } from '../../../resolvers/files/domain/keys.js';
import { DeadLetterSteps } from '../../../resolvers/files/domain/dead-letter-steps.js';
import type { ObjectRef } from '../../../resolvers/files/domain/pipeline-runs.js';
import { PipelineSteps } from '../../../resolvers/files/domain/pipeline-steps.js';
import { type DeadLetterRuntime, createDeadLetterConsumer } from '../../../resolvers/files/handlers/dead-letter-consumer.js';
import { InjectedFault } from '../../../local/faults/rules.js';
import { createLogger } from '../../../resolvers/shared/logger.js';
import { OWNER, lambdaContext, pendingRecord, s3Event } from '../resolvers/helpers/factories.js';
import { FixedClock, MemoryLog, RecordingPublisher, RecordingStatusPublisher } from '../resolvers/helpers/fakes.js';
import * as images from '../resolvers/helpers/images.js';
import { AnnouncingFileRepository, CountingObjectStore, InMemoryPersistenceLayer } from './fakes.js';

const BUCKET = 'uploads';
const ID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
const KEY = originalKey(OWNER, ID);
const SEQUENCER = '0055AED6DCD90281E5';
const ref: ObjectRef = { bucket: BUCKET, key: KEY, sequencer: SEQUENCER, versionId: null };
const THUMBNAIL_DLQ = 'https://sqs.local/thumbnail-dlq';

/** A dead-letter queue whose messages stay: every receive returns them all, as after a release. */
class KeptDeadLetters {
  readonly messages: Message[] = [];
  receives = 0;
  async send(command: ReceiveMessageCommand | ChangeMessageVisibilityBatchCommand): Promise<{ Messages?: Message[] }> {
    if (command.constructor.name !== 'ReceiveMessageCommand') return {};
    this.receives += 1;
    return { Messages: command.input.QueueUrl === THUMBNAIL_DLQ ? this.messages.map((m) => ({ ...m })) : [] };
  }
  add(messageId: string): void {
    const event = s3Event(BUCKET, KEY);
    event.Records[0]!.s3.object.sequencer = SEQUENCER;
    this.messages.push({ MessageId: messageId, ReceiptHandle: `${messageId}-r`, Body: JSON.stringify(event), Attributes: { ApproximateReceiveCount: '4' } });
  }
}

describe('the dead-letter consumer, run on every tick of its schedule', () => {
  let repository: AnnouncingFileRepository;
  let store: CountingObjectStore;
  let status: RecordingStatusPublisher;
  let queue: KeptDeadLetters;
  let persistence: InMemoryPersistenceLayer;
  const clock = new FixedClock();

  const steps = () =>
    new PipelineSteps({
      repository,
      objectStore: store,
      events: new RecordingPublisher(),
      status,
      clock,
      thumbnails: { sizes: [{ width: 200, height: 200 }], formats: ['jpeg'] },
    });

  function consumer(stepTimeoutMs?: number) {
    const runtime: DeadLetterRuntime = {
      sqs: queue,
      queues: [{ kind: 'step', step: 'THUMBNAIL', url: THUMBNAIL_DLQ }],
      bucket: BUCKET,
      repository,
      persistence,
      steps: new DeadLetterSteps({ repository, status, clock, stepTimeoutMs }),
    };
    return createDeadLetterConsumer(() => runtime, createLogger('dead-letters-test'), { count: () => undefined });
  }

  /** PROCESS done, THUMBNAIL failed with an error recorded: its message ran out of receives. */
  async function fileWithFailedThumbnail() {
    await repository.create(pendingRecord({ id: ID, size: (await images.jpeg()).length }));
    await store.putObject({ key: KEY, body: await images.jpeg(), contentType: 'image/jpeg' });
    const log = new MemoryLog();
    await steps().run('PROCESS', ref, { log });
    // The step's read of the original fails every time (a step-error fault, as the local stack injects it).
    store.failGetWith = new InjectedFault('Injected fault in THUMBNAIL (receive 3)');
    await expect(steps().run('THUMBNAIL', ref, { log })).rejects.toThrow();
    store.failGetWith = null;
  }

  const failedAnnouncements = () => status.messages.filter((m) => m.fileId === ID && m.status === 'FAILED');

  beforeEach(() => {
    repository = new AnnouncingFileRepository();
    store = new CountingObjectStore();
    status = new RecordingStatusPublisher();
    queue = new KeptDeadLetters();
    persistence = new InMemoryPersistenceLayer();
    // Powertools' JSON log lines are not what these tests read.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('given one dead letter that stays in its queue, when the consumer runs three times, then the file fails once and FAILED is announced exactly once', async () => {
    await fileWithFailedThumbnail();
    queue.add('m-1');
    const run = consumer();

    const summaries = [await run(lambdaContext()), await run(lambdaContext()), await run(lambdaContext())];

    expect(summaries.map((s) => s.failed)).toEqual([1, 0, 0]);
    expect(summaries.map((s) => s.messages)).toEqual([1, 1, 1]);
    expect(queue.receives).toBeGreaterThanOrEqual(3);
    expect(await repository.get(ID)).toMatchObject({ status: 'FAILED', error: { code: 'RETRIES_EXHAUSTED', step: 'THUMBNAIL' } });
    expect(failedAnnouncements()).toHaveLength(1);
  });

  it('given the announcement fails on the first run, when the consumer runs again, then FAILED is announced on the second run, once in all', async () => {
    await fileWithFailedThumbnail();
    queue.add('m-1');
    const run = consumer();
    status.failWith = new Error('SNS unavailable');

    await run(lambdaContext());
    expect(failedAnnouncements()).toHaveLength(0);
    status.failWith = null;
    await run(lambdaContext());
    await run(lambdaContext());

    expect(failedAnnouncements()).toHaveLength(1);
  });

  it('given a second dead letter of the same step for one file (a duplicate delivery) after notify delivered the first, when the consumer runs, then FAILED is announced once', async () => {
    await fileWithFailedThumbnail();
    queue.add('m-1');
    const run = consumer();

    await run(lambdaContext());
    // notify delivered the announcement: the second dead letter has nothing left to announce.
    await repository.markNotified(ID, `FAILED#${SEQUENCER}`, clock.now().toISOString());
    queue.add('m-2');
    await run(lambdaContext());
    await run(lambdaContext());

    expect(failedAnnouncements()).toHaveLength(1);
  });

  it('given a dead letter of a step another delivery may still complete, when the consumer runs before and after the time limit, then it is handled on the later run', async () => {
    await repository.create(pendingRecord({ id: ID }));
    await repository.beginStep(ID, 'THUMBNAIL', SEQUENCER, clock.now().toISOString());
    queue.add('m-1');
    const run = consumer(30_000);

    clock.advance(10_000);
    expect((await run(lambdaContext())).failed).toBe(0);
    expect((await repository.get(ID))?.status).toBe('PROCESSING');
    clock.advance(30_000);
    expect((await run(lambdaContext())).failed).toBe(1);
    await run(lambdaContext());

    expect(failedAnnouncements()).toHaveLength(1);
  });
});
