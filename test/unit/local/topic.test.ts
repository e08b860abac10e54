import { describe, expect, it } from 'vitest';
import { type LocalSubscription, LocalTopic } from '../../../local/messaging/topic.js';

function topicWith(subscriptions: Partial<LocalSubscription>[]) {
  const lines: string[] = [];
  const invoked: string[] = [];
  const topic = new LocalTopic('arn:aws:sns:eu-west-1:000000000000:notes', 'notes', {
    invokeAsync: (fn) => invoked.push(fn),
    log: (line) => lines.push(line),
    duplicate: () => false,
  });
  for (const [n, s] of subscriptions.entries()) {
    topic.subscriptions.push({
      arn: `${topic.arn}:s${n}`,
      protocol: 'lambda',
      endpoint: 'Fn',
      raw: false,
      filterPolicy: undefined,
      filterPolicyScope: 'MessageAttributes',
      functionLogicalId: 'Fn',
      ...s,
    });
  }
  return { topic, lines, invoked };
}

const notification = {
  subject: 'Your file is ready',
  message: 'Your file "cat.jpg" is ready.',
  attributes: { fileId: { DataType: 'String', StringValue: 'f-1' }, status: { DataType: 'String', StringValue: 'READY' } },
};

describe('LocalTopic: a message no subscription receives', () => {
  it('given a topic without subscribers, when a notification is published, then one log line shows it as the notification', () => {
    const { topic, lines } = topicWith([]);
    topic.publish(notification);
    expect(lines).toEqual(['sns notes: no subscribers; Your file is ready | Your file "cat.jpg" is ready. [fileId=f-1, status=READY]']);
  });

  it('given no subject and no attributes, then the line is the message alone', () => {
    const { topic, lines } = topicWith([]);
    topic.publish({ message: 'hello' });
    expect(lines).toEqual(['sns notes: no subscribers; hello']);
  });

  it('given subscriptions whose filter policies all refuse the message, then one line says none matched', () => {
    const { topic, lines, invoked } = topicWith([{ filterPolicy: { status: ['FAILED'] } }]);
    topic.publish(notification);
    expect(invoked).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^sns notes: no subscription matched; Your file is ready \| /)]);
  });

  it('given a subscription that receives the message, then no such line', () => {
    const { topic, lines, invoked } = topicWith([{ filterPolicy: { status: ['READY'] } }]);
    topic.publish(notification);
    expect(invoked).toEqual(['Fn']);
    expect(lines).toEqual([]);
  });

  it('given an e-mail subscription, then its own line, not the no-subscriber one', () => {
    const { topic, lines } = topicWith([{ protocol: 'email', endpoint: 'a@example.com' }]);
    topic.publish(notification);
    expect(lines).toEqual(['sns notes: email to a@example.com: Your file is ready | Your file "cat.jpg" is ready.']);
  });
});
