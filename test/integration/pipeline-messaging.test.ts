/**
 * The local SQS and SNS endpoint, from a small template, driven by the real AWS SDK clients:
 * the JSON protocol, MD5 checks, SigV4 with IAM from the template's role policies, SNS fan-out
 * with raw delivery and filter policies, redrive after maxReceiveCount and StartMessageMoveTask,
 * and a Lambda event source mapping's partial batch responses (ReportBatchItemFailures).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cdk/template.js';
import { type Messaging, createMessaging } from '../../local/messaging/index.js';

const REGION = 'us-east-1';
const developer = { accessKeyId: 'AKIADEVELOPER', secretAccessKey: 'developer-secret', roleLogicalId: undefined };
const reader = { accessKeyId: 'AKIAREADER', secretAccessKey: 'reader-secret', roleLogicalId: 'ReaderRole' };

const template: CfnTemplate = {
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic' },
    Work: {
      Type: 'AWS::SQS::Queue',
      Properties: { VisibilityTimeout: 1, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dead', 'Arn'] }, maxReceiveCount: 2 } },
    },
    Dead: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } },
    Filtered: { Type: 'AWS::SQS::Queue' },
    Mapped: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 1 } },
    MappedStep: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Mapped', 'Arn'] },
        FunctionName: { Ref: 'StepFunction' },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    },
    ToWork: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Topic' }, Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Work', 'Arn'] }, RawMessageDelivery: 'true' } },
    ToFiltered: {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'Topic' }, Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Filtered', 'Arn'] }, RawMessageDelivery: true, FilterPolicy: { status: ['READY'] } },
    },
  },
};

/** Polls until `check` holds (or fails after `ms`). */
async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the local SQS/SNS endpoint with the real SDK clients', () => {
  let messaging: Messaging;
  /** What the mapped function `StepFunction` does; each test sets it. */
  let stepFunction: (event: SQSEvent) => Promise<unknown> = async () => ({ batchItemFailures: [] });
  let sqs: SQSClient;
  let sns: SNSClient;
  const urlOf = async (name: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';

  beforeAll(async () => {
    messaging = await createMessaging({ template, region: REGION, principals: [developer, reader], log: () => undefined });
    messaging.start({
      roles: new Map([['ReaderRole', { logicalId: 'ReaderRole', statements: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }] }]]),
      values: { region: REGION, accountId: '123456789012', ref: (id) => id, getAtt: (id, a) => `${id}.${a}` },
      bucketName: (id) => id,
      functionExists: (id) => id === 'StepFunction',
      invoke: async (id, event) => (id === 'StepFunction' ? stepFunction(event as SQSEvent) : null),
      pollersPerMapping: 1,
      asyncRetryDelaysMs: [],
    });
    const config = { endpoint: messaging.endpoint, region: REGION, credentials: developer };
    sqs = new SQSClient(config);
    sns = new SNSClient(config);
  });

  afterAll(async () => {
    sqs?.destroy();
    sns?.destroy();
    await messaging?.stop();
  });

  it('given a topic with a raw and a filtered subscription, when a READY and a FAILED message are published, then the raw queue gets both with attributes and the filtered one only READY', async () => {
    const topicArn = messaging.topics.get('Topic')!.arn;
    for (const status of ['READY', 'FAILED']) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: `{"status":"${status}"}`, MessageAttributes: { status: { DataType: 'String', StringValue: status } } }));
    }
    const work = await sqs.send(new ReceiveMessageCommand({ QueueUrl: await urlOf('Work'), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    const filtered = await sqs.send(new ReceiveMessageCommand({ QueueUrl: await urlOf('Filtered'), MaxNumberOfMessages: 10 }));

    expect(work.Messages?.map((m) => [m.Body, m.MessageAttributes?.['status']?.StringValue])).toEqual([
      ['{"status":"READY"}', 'READY'],
      ['{"status":"FAILED"}', 'FAILED'],
    ]);
    expect(filtered.Messages?.map((m) => m.Body)).toEqual(['{"status":"READY"}']);
    for (const m of work.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: await urlOf('Work'), ReceiptHandle: m.ReceiptHandle }));
  });

  it('given maxReceiveCount 2, when a message is received twice and not deleted, then it lands in the DLQ, and StartMessageMoveTask brings it back', async () => {
    const work = await urlOf('Work');
    const dead = await urlOf('Dead');
    await sqs.send(new SendMessageCommand({ QueueUrl: work, MessageBody: 'poison' }));
    for (let i = 1; i <= 2; i += 1) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: work, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(Messages.map((m) => m.Attributes?.['ApproximateReceiveCount'])).toEqual([String(i)]);
    }

    // The third receive attempt, once the message is visible again, moves it instead.
    expect(await sqs.send(new ReceiveMessageCommand({ QueueUrl: work, WaitTimeSeconds: 2 }))).not.toHaveProperty('Messages');
    const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dead, MessageSystemAttributeNames: ['All'], VisibilityTimeout: 0 }));
    expect(dlq.Messages).toEqual([
      expect.objectContaining({ Body: 'poison', Attributes: expect.objectContaining({ DeadLetterQueueSourceArn: messaging.queues.get('Work')!.spec.arn }) }),
    ]);

    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: messaging.queues.get('Dead')!.spec.arn }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dead, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.['ApproximateNumberOfMessages']).toBe('0');
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: work, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(back.Messages?.map((m) => [m.Body, m.Attributes?.['ApproximateReceiveCount']])).toEqual([['poison', '1']]);
  });

  it('given an event source mapping with ReportBatchItemFailures, when the function reports one of a batch of three, then only that one comes back, after the visibility timeout, with receive count 2; the others are deleted', async () => {
    const url = await urlOf('Mapped');
    const invocations: { at: number; records: string[][] }[] = [];
    const processor = new BatchProcessor(EventType.SQS);
    // As the pipeline's functions answer: Powertools `batch` reports the records that threw.
    stepFunction = async (event) => {
      invocations.push({ at: Date.now(), records: event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount]) });
      return processPartialResponse(event, async (record: SQSRecord) => {
        if (record.body === 'b' && record.attributes.ApproximateReceiveCount === '1') throw new Error('b fails once');
      }, processor);
    };
    const count = async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(Attributes['ApproximateNumberOfMessages']) + Number(Attributes['ApproximateNumberOfMessagesNotVisible']);
    };

    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })) }));
    // a and c would have come back with b had they not been deleted.
    await until(async () => invocations.length >= 2 && (await count()) === 0);

    expect(invocations.map((i) => i.records)).toEqual([
      [
        ['a', '1'],
        ['b', '1'],
        ['c', '1'],
      ],
      [['b', '2']],
    ]);
    // Back only once its visibility timeout (1 s) had passed.
    expect(invocations[1]!.at - invocations[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('given a principal whose role may only receive, when it sends, then AccessDenied; a wrong secret fails the signature', async () => {
    const readerClient = new SQSClient({ endpoint: messaging.endpoint, region: REGION, credentials: reader });
    const forged = new SQSClient({ endpoint: messaging.endpoint, region: REGION, credentials: { ...developer, secretAccessKey: 'wrong' } });
    try {
      const url = await urlOf('Filtered');
      await expect(readerClient.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(readerClient.send(new ReceiveMessageCommand({ QueueUrl: url }))).resolves.toBeDefined();
      await expect(forged.send(new ReceiveMessageCommand({ QueueUrl: url }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    } finally {
      readerClient.destroy();
      forged.destroy();
    }
  });

  it('given an unknown queue, when addressed, then QueueDoesNotExist', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
