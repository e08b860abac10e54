/**
 * A Lambda event source mapping on an SQS queue, as the Lambda developer guide describes the
 * poller: it long-polls the queue, gathers up to `BatchSize` messages for at most
 * `MaximumBatchingWindowInSeconds`, invokes the function synchronously with an SQS event, and
 * - on success deletes the batch, except, with `ReportBatchItemFailures`, the messages named in
 *   `batchItemFailures` (an invalid response fails the whole batch);
 * - on a function error or timeout deletes nothing.
 * What is not deleted becomes visible again when its visibility timeout ends, is received again
 * (ApproximateReceiveCount + 1) and, past `maxReceiveCount`, moves to the dead-letter queue.
 *
 * Locally, `retryDelayMs` (when set) shortens the wait of a failed message to that many
 * milliseconds once its invocation has ended, so tests need not wait minutes; the in-flight
 * protection of the visibility timeout is unchanged. docs/local-stack.md lists the difference.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueue, ReceivedMessage } from './queue.js';

export interface MappingOptions {
  readonly functionLogicalId: string;
  readonly queue: LocalQueue;
  readonly region: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  /** Batches in flight at once. */
  readonly concurrency: number;
  readonly retryDelayMs: number | undefined;
  invoke(functionLogicalId: string, event: unknown): Promise<unknown>;
  log(line: string): void;
}

export class QueueEventSourceMapping {
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  invocations = 0;

  constructor(private readonly options: MappingOptions) {}

  start(): void {
    for (let i = 0; i < this.options.concurrency; i += 1) this.#loops.push(this.#loop());
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
  }

  async #loop(): Promise<void> {
    const { queue } = this.options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const batch = await this.#gather(queue, signal);
        if (batch.length === 0 || signal.aborted) continue;
        await this.#invoke(batch);
      } catch (error) {
        if (!signal.aborted) this.options.log(`event source mapping ${queue.spec.name}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async #gather(queue: LocalQueue, signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.options;
    const receive = (wait: number, max: number) =>
      queue.receive({
        maxMessages: Math.min(10, max),
        waitSeconds: wait,
        attributeNames: ['All'],
        messageAttributeNames: ['All'],
        signal,
      });
    const batch = await receive(20, batchSize);
    if (batch.length === 0 || maximumBatchingWindowSeconds === 0) return batch;
    const windowEnds = Date.now() + maximumBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && Date.now() < windowEnds && !signal.aborted) {
      const waitSeconds = Math.max(0, Math.min(20, Math.floor((windowEnds - Date.now()) / 1000)));
      const more = await receive(waitSeconds, batchSize - batch.length);
      batch.push(...more);
      if (more.length === 0 && waitSeconds === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50, windowEnds - Date.now())));
    }
    return batch;
  }

  #event(batch: readonly ReceivedMessage[]): SQSEvent {
    const { queue, region } = this.options;
    return {
      Records: batch.map(
        (message): SQSRecord => ({
          messageId: message.MessageId,
          receiptHandle: message.ReceiptHandle,
          body: message.Body,
          attributes: {
            ApproximateReceiveCount: message.Attributes['ApproximateReceiveCount'] ?? '1',
            SentTimestamp: message.Attributes['SentTimestamp'] ?? '',
            SenderId: message.Attributes['SenderId'] ?? '',
            ApproximateFirstReceiveTimestamp: message.Attributes['ApproximateFirstReceiveTimestamp'] ?? '',
          },
          messageAttributes: Object.fromEntries(
            Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
              name,
              {
                dataType: value.DataType,
                ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
                ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
                stringListValues: [],
                binaryListValues: [],
              },
            ]),
          ),
          md5OfBody: message.MD5OfBody,
          ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
          eventSource: 'aws:sqs',
          eventSourceARN: queue.spec.arn,
          awsRegion: region,
        }),
      ),
    };
  }

  async #invoke(batch: readonly ReceivedMessage[]): Promise<void> {
    const { queue, functionLogicalId } = this.options;
    this.invocations += 1;
    let failed: Set<string>;
    try {
      const result = await this.options.invoke(functionLogicalId, this.#event(batch));
      failed = this.#failures(batch, result);
    } catch (error) {
      this.options.log(`${functionLogicalId}: batch of ${batch.length} from ${queue.spec.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      failed = new Set(batch.map((m) => m.MessageId));
    }
    for (const message of batch) {
      if (failed.has(message.MessageId)) {
        if (this.options.retryDelayMs !== undefined) queue.shortenVisibility(message.ReceiptHandle, this.options.retryDelayMs);
      } else {
        queue.delete(message.ReceiptHandle);
      }
    }
  }

  /** The messages to keep: none on success, the reported ones with partial batch responses. */
  #failures(batch: readonly ReceivedMessage[], result: unknown): Set<string> {
    if (!this.options.reportBatchItemFailures) return new Set();
    const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (result === null || result === undefined || failures === undefined) return new Set();
    const ids = new Set(batch.map((m) => m.MessageId));
    if (!Array.isArray(failures)) return ids;
    const failed = new Set<string>();
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      // Lambda treats a missing, empty or unknown identifier as a failure of the whole batch.
      if (typeof id !== 'string' || id === '' || !ids.has(id)) return ids;
      failed.add(id);
    }
    return failed;
  }
}
