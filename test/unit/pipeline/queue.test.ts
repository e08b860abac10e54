import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfMessageAttributes } from '../../../local/messaging/md5.js';
import { LocalQueue, type QueueSpec } from '../../../local/messaging/queue.js';
import { queueSpec } from '../../support/queues.js';

class Clock {
  constructor(public ms = 1_000_000) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

function given(options: { maxReceiveCount?: number; retentionSeconds?: number } = {}) {
  const clock = new Clock();
  const queues = new Map<string, LocalQueue>();
  const spec = (name: string, redrive?: QueueSpec['redrive']) =>
    queueSpec(name, { redrive, ...(options.retentionSeconds === undefined ? {} : { retentionSeconds: options.retentionSeconds }) });
  const dlq = new LocalQueue(spec('dlq'), (arn) => queues.get(arn), clock.now);
  const queue = new LocalQueue(
    spec('work', options.maxReceiveCount === undefined ? undefined : { deadLetterTargetArn: dlq.spec.arn, maxReceiveCount: options.maxReceiveCount }),
    (arn) => queues.get(arn),
    clock.now,
  );
  queues.set(dlq.spec.arn, dlq);
  queues.set(queue.spec.arn, queue);
  return { clock, queue, dlq };
}

const all = { attributeNames: ['All'], messageAttributeNames: ['All'] };

describe('a local SQS standard queue', () => {
  it('given a received message, when its visibility timeout has not passed, then nobody else receives it; after it, it comes back with receive count 2', async () => {
    const { clock, queue } = given();
    queue.send({ body: 'hello', senderId: 's' });

    const [first] = await queue.receive(all);
    expect(await queue.receive(all)).toEqual([]);
    clock.advance(31);
    const [again] = await queue.receive(all);

    expect(first?.Attributes['ApproximateReceiveCount']).toBe('1');
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes['ApproximateReceiveCount']).toBe('2');
    expect(again?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
  });

  it('given a message received twice, when deleted with the first (stale) receipt handle, then the call succeeds and the message stays', async () => {
    const { clock, queue } = given();
    queue.send({ body: 'x', senderId: 's' });
    const [first] = await queue.receive(all);
    clock.advance(31);
    const [second] = await queue.receive(all);

    queue.delete(first!.ReceiptHandle);
    clock.advance(31);
    expect((await queue.receive(all)).map((m) => m.MessageId)).toEqual([second!.MessageId]);
  });

  it('given maxReceiveCount 3, when a message was received 3 times and is received again, then it is in the DLQ with its id, body, attributes and source ARN', async () => {
    const { clock, queue, dlq } = given({ maxReceiveCount: 3 });
    const attributes = { status: { DataType: 'String', StringValue: 'READY' } };
    const sent = queue.send({ body: 'poison', attributes, senderId: 's' });
    for (let i = 0; i < 3; i += 1) {
      expect(await queue.receive(all)).toHaveLength(1);
      clock.advance(31);
    }

    expect(await queue.receive(all)).toEqual([]);
    const [dead] = await dlq.receive(all);
    expect(dead).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'poison',
      MessageAttributes: attributes,
      Attributes: { DeadLetterQueueSourceArn: queue.spec.arn },
    });
  });

  it('given ChangeMessageVisibility 0, when received again, then the message is back at once', async () => {
    const { queue } = given();
    queue.send({ body: 'x', senderId: 's' });
    const [message] = await queue.receive(all);
    queue.changeVisibility(message!.ReceiptHandle, 0);
    expect(await queue.receive(all)).toHaveLength(1);
  });

  it('given a retention of 60 s, when 61 s pass, then the message is gone', async () => {
    const { clock, queue } = given({ retentionSeconds: 60 });
    queue.send({ body: 'x', senderId: 's' });
    clock.advance(61);
    expect(await queue.receive(all)).toEqual([]);
    expect(queue.attributes()['ApproximateNumberOfMessages']).toBe('0');
  });

  it('given visible and in-flight messages, when attributes are read, then both counts are right', async () => {
    const { queue } = given();
    queue.send({ body: 'a', senderId: 's' });
    queue.send({ body: 'b', senderId: 's' });
    await queue.receive({ maxMessages: 1 });
    expect(queue.attributes()).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1' });
  });

  it('given a message, when received, then MD5OfBody is the MD5 of the body and the attributes digest does not depend on their order', async () => {
    const { queue } = given();
    queue.send({ body: 'héllo', senderId: 's' });
    const [message] = await queue.receive(all);
    expect(message?.MD5OfBody).toBe(md5Hex('héllo'));
    const a = { b: { DataType: 'String', StringValue: '2' }, a: { DataType: 'Number', StringValue: '1' } };
    const b = { a: { DataType: 'Number', StringValue: '1' }, b: { DataType: 'String', StringValue: '2' } };
    expect(md5OfMessageAttributes(a)).toBe(md5OfMessageAttributes(b));
    expect(md5OfMessageAttributes({ ...a, c: { DataType: 'String', StringValue: '' } })).not.toBe(md5OfMessageAttributes(a));
  });
});
