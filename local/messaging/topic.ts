/**
 * An SNS standard topic: a published message is delivered to every subscription whose filter
 * policy it matches. To an SQS queue the delivery is the raw message and its attributes
 * (RawMessageDelivery) or SNS's JSON envelope; to a Lambda function an asynchronous
 * invocation with an SNS event; to e-mail and SMS a log line. A message no subscription receives
 * (a topic without subscribers, as the user notifications topic is locally) is a log line too:
 * `sns <topic>: no subscribers; <subject> | <message> [attributes]` (notification-line.ts formats
 * it and parses it back, for the tests and scripts that read the log). SNS delivers at least once:
 * the `duplicateDelivery` fault makes that visible by delivering some messages twice.
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from './md5.js';
import { type FilterPolicyScope, matchesFilterPolicy } from './filter-policy.js';
import { NO_SUBSCRIBERS, NO_SUBSCRIPTION_MATCHED, SUBJECT_SEPARATOR, formatUnsubscribedNotificationLine } from './notification-line.js';
import type { LocalQueue } from './queue.js';

export interface PublishInput {
  readonly message: string;
  readonly subject?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface LocalSubscription {
  readonly arn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly raw: boolean;
  readonly filterPolicy: Record<string, unknown> | undefined;
  readonly filterPolicyScope: FilterPolicyScope;
  readonly queue?: LocalQueue;
  readonly functionLogicalId?: string;
}

export interface TopicDeliveryHooks {
  /** Asynchronous Lambda invocation (SNS -> Lambda). */
  invokeAsync(functionLogicalId: string, event: unknown): void;
  log(line: string): void;
  /** Whether to deliver this message to a subscription a second time (fault injection; never by default). */
  duplicate(message: string): boolean;
}

export class LocalTopic {
  readonly subscriptions: LocalSubscription[] = [];
  published = 0;

  constructor(
    readonly arn: string,
    readonly name: string,
    private readonly hooks: TopicDeliveryHooks,
  ) {}

  publish(input: PublishInput): string {
    const messageId = randomUUID();
    const timestamp = new Date().toISOString();
    const attributes = input.attributes ?? {};
    this.published += 1;
    let delivered = 0;
    for (const subscription of this.subscriptions) {
      if (
        subscription.filterPolicy !== undefined &&
        !matchesFilterPolicy(subscription.filterPolicy, subscription.filterPolicyScope, { body: input.message, attributes })
      ) {
        continue;
      }
      delivered += 1;
      const times = this.hooks.duplicate(input.message) ? 2 : 1;
      for (let i = 0; i < times; i += 1) this.#deliver(subscription, messageId, timestamp, input, attributes);
    }
    if (delivered === 0) {
      // SNS drops such a message without a trace. Locally it is a log line instead, so that a
      // topic nobody subscribed to (the user notifications topic, unless the stack subscribes
      // e-mail addresses to it) still shows in `npm start`'s output what it would have sent.
      this.hooks.log(
        formatUnsubscribedNotificationLine({
          topic: this.name,
          reason: this.subscriptions.length === 0 ? NO_SUBSCRIBERS : NO_SUBSCRIPTION_MATCHED,
          subject: input.subject,
          message: input.message,
          // Which file, whose, what status.
          attributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? value.BinaryValue ?? ''])),
        }),
      );
    }
    return messageId;
  }

  /** `<subject> | <message>`, or the message alone: how the e-mail and SMS log lines read. */
  #text(input: PublishInput): string {
    return `${input.subject ?? ''}${input.subject ? SUBJECT_SEPARATOR : ''}${input.message}`;
  }

  #envelope(subscription: LocalSubscription, messageId: string, timestamp: string, input: PublishInput, attributes: Readonly<Record<string, AttributeValue>>) {
    return {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: this.arn,
      ...(input.subject === undefined ? {} : { Subject: input.subject }),
      Message: input.message,
      Timestamp: timestamp,
      SignatureVersion: '1',
      Signature: 'LOCAL',
      SigningCertURL: 'https://localhost/SimpleNotificationService-local.pem',
      UnsubscribeURL: `https://localhost/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
      ...(Object.keys(attributes).length === 0
        ? {}
        : {
            MessageAttributes: Object.fromEntries(
              Object.entries(attributes).map(([name, value]) => [name, { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue ?? '' }]),
            ),
          }),
    };
  }

  #deliver(
    subscription: LocalSubscription,
    messageId: string,
    timestamp: string,
    input: PublishInput,
    attributes: Readonly<Record<string, AttributeValue>>,
  ): void {
    switch (subscription.protocol) {
      case 'sqs': {
        if (subscription.queue === undefined) return;
        if (subscription.raw) {
          // Raw delivery: SQS message attributes carry the SNS ones (String.Array as String).
          const mapped = Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [name, value.DataType === 'String.Array' ? { ...value, DataType: 'String' } : value]),
          );
          subscription.queue.send({ body: input.message, attributes: mapped, senderId: 'AIDAIT2UOQQY3AUEKVGXU' });
        } else {
          subscription.queue.send({
            body: JSON.stringify(this.#envelope(subscription, messageId, timestamp, input, attributes)),
            senderId: 'AIDAIT2UOQQY3AUEKVGXU',
          });
        }
        return;
      }
      case 'lambda': {
        if (subscription.functionLogicalId === undefined) return;
        const envelope = this.#envelope(subscription, messageId, timestamp, input, attributes);
        this.hooks.invokeAsync(subscription.functionLogicalId, {
          Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: subscription.arn, Sns: envelope }],
        });
        return;
      }
      case 'email':
      case 'email-json':
      case 'sms':
        this.hooks.log(`sns ${this.name}: ${subscription.protocol} to ${subscription.endpoint}: ${this.#text(input)}`);
        return;
      default:
        this.hooks.log(`sns ${this.name}: ${subscription.protocol} subscriptions are not delivered locally`);
    }
  }
}
