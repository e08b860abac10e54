/**
 * The local stack's Lambda event source mapping on an SQS queue (local/messaging/event-source-mapping.ts):
 * what it deletes after an invocation and what returns to the queue, with ReportBatchItemFailures
 * answered by Powertools `batch` as the pipeline's functions do.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { QueueEventSourceMapping } from '../../../local/messaging/event-source-mapping.js';
import { LocalQueue, type QueueSpec } from '../../../local/messaging/queue.js';
import { lambdaContext } from '../resolvers/helpers/factories.js';

const VISIBILITY_SECONDS = 30;

class Clock {
  constructor(public ms = 1_000_000) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

function given(bodies: readonly string[]) {
  const clock = new Clock();
  const spec: QueueSpec = {
    name: 'work',
    arn: 'arn:aws:sqs:us-east-1:123456789012:work',
    url: 'http://127.0.0.1/123456789012/work',
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    retentionSeconds: 345_600,
    delaySeconds: 0,
    receiveWaitSeconds: 0,
    redrive: undefined,
  };
  const queue = new LocalQueue(spec, () => undefined, clock.now);
  const ids = new Map(bodies.map((body) => [body, queue.send({ body, senderId: 's' }).MessageId]));
  return { clock, queue, ids };
}

/** Starts a mapping, lets it make one invocation, and stops it once that invocation's outcome is applied. */
async function invokeOnce(queue: LocalQueue, fn: (event: SQSEvent) => Promise<unknown>, reportBatchItemFailures = true): Promise<SQSEvent> {
  let seen!: (event: SQSEvent) => void;
  const invoked = new Promise<SQSEvent>((resolve) => (seen = resolve));
  const mapping = new QueueEventSourceMapping({
    functionLogicalId: 'StepFunction',
    queue,
    region: 'us-east-1',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures,
    concurrency: 1,
    retryDelayMs: undefined,
    invoke: async (_id, event) => {
      try {
        return await fn(event as SQSEvent);
      } finally {
        seen(event as SQSEvent);
      }
    },
    log: () => undefined,
  });
  mapping.start();
  const event = await invoked;
  // stop() waits for the loop, which deletes (or keeps) the batch's messages before it ends.
  await mapping.stop();
  expect(mapping.invocations).toBe(1);
  return event;
}

/** A function like the pipeline's: Powertools `batch` reports the records whose handler threw. */
function batchFunction(fails: (record: SQSRecord) => boolean) {
  const processor = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent) =>
    processPartialResponse(
      event,
      async (record: SQSRecord) => {
        if (fails(record)) throw new Error(`cannot handle ${record.body}`);
      },
      processor,
      { context: lambdaContext() },
    );
}

const all = { attributeNames: ['All'], messageAttributeNames: ['All'] };

describe('the local event source mapping of an SQS queue', () => {
  it('given a batch of three where the function reports one item failure, then only that message returns to the queue, after the visibility timeout, with receive count 2; the others are deleted', async () => {
    const { clock, queue, ids } = given(['a', 'b', 'c']);

    const event = await invokeOnce(queue, batchFunction((record) => record.body === 'b'));

    expect(event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    expect(queue.attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    clock.advance(VISIBILITY_SECONDS - 1);
    expect(await queue.receive(all)).toEqual([]);

    clock.advance(2);
    const again = await invokeOnce(queue, batchFunction(() => false));

    expect(again.Records.map((r) => [r.messageId, r.body, r.attributes.ApproximateReceiveCount])).toEqual([[ids.get('b'), 'b', '2']]);
    expect(queue.attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it.each([
    ['the function throws', async () => Promise.reject(new Error('crash'))],
    ['an item failure names no message of the batch', async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-the-batch' }] })],
    ['an item failure has an empty identifier', async () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
  ])('given %s, then the whole batch returns to the queue', async (_what, fn) => {
    const { clock, queue } = given(['a', 'b']);

    await invokeOnce(queue, fn);

    expect(queue.attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '2' });
    clock.advance(VISIBILITY_SECONDS + 1);
    expect((await queue.receive({ ...all, maxMessages: 10 })).map((m) => [m.Body, m.Attributes['ApproximateReceiveCount']])).toEqual([
      ['a', '2'],
      ['b', '2'],
    ]);
  });

  it('given a mapping without ReportBatchItemFailures, when the function returns item failures, then the whole batch is deleted (the response is ignored)', async () => {
    const { queue } = given(['a', 'b']);

    await invokeOnce(queue, batchFunction((record) => record.body === 'b'), false);

    expect(queue.attributes()).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });
});
