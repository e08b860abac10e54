import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { ITopic, SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/index.js';
import type { ServiceFunction } from './service-function.js';

/** AWS's advice for a queue a Lambda consumes: a visibility timeout of at least 6x the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** A subscriber's messages are tried this many times before they go to its dead-letter queue. */
export const DEFAULT_MAX_RECEIVE_COUNT = 3;
/** SQS's longest retention: time to notice a dead letter and redrive it. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface SubscriberQueueProps {
  /** The topic whose messages the function consumes. */
  readonly topic: ITopic;
  /** The consumer. Its timeout sets the queue's visibility timeout. */
  readonly consumer: ServiceFunction;
  /** The consumer's timeout, as given to ServiceFunction. */
  readonly consumerTimeout: Duration;

  /**
   * Only messages whose attributes match reach the queue.
   * @default every message
   */
  readonly filterPolicy?: Record<string, SubscriptionFilter>;

  /**
   * Receives before a message moves to the dead-letter queue.
   * @default DEFAULT_MAX_RECEIVE_COUNT
   */
  readonly maxReceiveCount?: number;

  /**
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source mapping gathers a batch before invoking. Each step of a chain
   * adds it to the time until the user sees the result, so it is off unless a consumer gains
   * from fuller batches.
   * @default - none (AWS's default for standard queues)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
}

/**
 * topic -> queue (raw delivery) -> function, the way every subscriber of the pipeline is wired:
 * a queue of its own, so one subscriber's failures never hold up another's; a dead-letter queue
 * of its own after `maxReceiveCount` receives; TLS only; a visibility timeout of six times the
 * function's timeout (a batch still running is never handed to another invocation); and partial
 * batch responses, so one failed message is retried without its batch.
 */
export class SubscriberQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly mapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: SubscriberQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: DEAD_LETTER_RETENTION,
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
    });

    props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        ...(props.filterPolicy === undefined ? {} : { filterPolicy: props.filterPolicy }),
      }),
    );
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: props.consumer.fn,
      eventSourceArn: this.queue.queueArn,
      batchSize: props.batchSize ?? 10,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
      reportBatchItemFailures: true,
    });
    this.queue.grantConsumeMessages(props.consumer.fn);
    acknowledge(
      this.mapping,
      'Serverless-LambdaEventSourceMappingDestination',
      'An SQS event source mapping takes no on-failure destination: the queue redrives failed messages to its own dead-letter queue',
    );
  }
}
