import { describe, expect, it } from 'vitest';
import {
  NO_SUBSCRIBERS,
  NO_SUBSCRIPTION_MATCHED,
  type UnsubscribedNotification,
  formatUnsubscribedNotificationLine,
  parseUnsubscribedNotificationLine,
} from '../../../local/messaging/notification-line.js';
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

describe('the no-subscriber line, parsed back (parseUnsubscribedNotificationLine)', () => {
  const roundTrip = (n: UnsubscribedNotification) => parseUnsubscribedNotificationLine(formatUnsubscribedNotificationLine(n));

  it('given the line LocalTopic logs, then it parses to the published notification', () => {
    const { topic, lines } = topicWith([]);
    topic.publish(notification);
    expect(lines.map(parseUnsubscribedNotificationLine)).toEqual([
      {
        topic: 'notes',
        reason: NO_SUBSCRIBERS,
        subject: 'Your file is ready',
        message: 'Your file "cat.jpg" is ready.',
        attributes: { fileId: 'f-1', status: 'READY' },
      },
    ]);
  });

  it('given a topic whose subscriptions all refuse the message, then the reason says so', () => {
    const { topic, lines } = topicWith([{ filterPolicy: { status: ['FAILED'] } }]);
    topic.publish({ message: 'hello' });
    expect(lines.map(parseUnsubscribedNotificationLine)).toEqual([
      { topic: 'notes', reason: NO_SUBSCRIPTION_MATCHED, subject: undefined, message: 'hello', attributes: {} },
    ]);
  });

  const tricky: [string, UnsubscribedNotification][] = [
    [
      "a message with ' | ', '[' and ']' and non-ASCII",
      {
        topic: 'notes',
        reason: NO_SUBSCRIBERS,
        subject: 'Ваш файл готов ✓',
        message: 'Файл «кот [1].jpg» | 猫 🐱 [draft] is ready | [x=y, z=w]',
        attributes: { owner: 'üser-ß', fileId: 'f-1', status: 'READY' },
      },
    ],
    [
      "no subject, a message with ' | ' and a trailing ' [a=b]'",
      { topic: 'notes', reason: NO_SUBSCRIBERS, subject: undefined, message: 'a | b [a=b]', attributes: {} },
    ],
    ['a message ending in " |"', { topic: 'notes', reason: NO_SUBSCRIBERS, subject: 'S |', message: 'm |', attributes: { a: 'b' } }],
    ['a message that is quoted already', { topic: 'notes', reason: NO_SUBSCRIBERS, subject: '"S"', message: '"m" \\ "', attributes: {} }],
    ['line breaks', { topic: 'notes', reason: NO_SUBSCRIBERS, subject: 'S', message: 'line 1\nline 2\r\u2028', attributes: { v: 'x\ny' } }],
    ['an empty message', { topic: 'notes', reason: NO_SUBSCRIBERS, subject: 'S', message: '', attributes: { empty: '' } }],
    [
      'attribute names and values with the punctuation of the list',
      {
        topic: 'notes',
        reason: NO_SUBSCRIPTION_MATCHED,
        subject: undefined,
        message: 'm]',
        attributes: { 'a=b': 'c=d', 'e, f': 'g, h', ']': ']', '"q"': '"v"', last: 'x]' },
      },
    ],
  ];
  it.each(tricky)('given %s, then format -> parse gives it back', (_, n) => {
    expect(roundTrip(n)).toEqual(n);
  });

  it('given ordinary text, then the line reads as the notification; quoted (JSON) only where it could be misread', () => {
    const line = (message: string) =>
      formatUnsubscribedNotificationLine({ topic: 'notes', reason: NO_SUBSCRIBERS, subject: 'Готово', message, attributes: { fileId: 'f-1' } });
    expect(line('Файл «кот[1].jpg» готов ✓')).toBe('sns notes: no subscribers; Готово | Файл «кот[1].jpg» готов ✓ [fileId=f-1]');
    expect(line('a | b [c]')).toBe('sns notes: no subscribers; Готово | "a | b [c]" [fileId=f-1]');
  });

  it('given any text from the characters that could confuse it, then format -> parse gives it back', () => {
    // A small deterministic generator (xorshift) over the line's punctuation.
    const alphabet = [' ', ' ', '|', '[', ']', ',', '=', '"', '\\', '\n', 'a', 'é', '🐱'];
    let state = 0x2545f491;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const text = () => Array.from({ length: Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    for (let i = 0; i < 5000; i += 1) {
      const subject = next() < 0.3 ? undefined : text();
      const n: UnsubscribedNotification = {
        topic: 'notes',
        reason: NO_SUBSCRIBERS,
        subject,
        message: text(),
        attributes: Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, (_, k) => [`${text()}${k}`, text()])),
      };
      // An empty subject is not shown (SNS refuses one), so it comes back as none.
      expect(roundTrip(n), formatUnsubscribedNotificationLine(n)).toEqual({ ...n, subject: subject || undefined });
    }
  });

  it.each([
    '',
    'hello',
    '{"message":"sns notes: no subscribers; hi"}',
    'sns notes: email to a@example.com: Your file is ready | Your file "cat.jpg" is ready.',
    'sns notes: sqs subscriptions are not delivered locally',
    'sns notes: no subscribers',
    'sns : no subscribers; hi',
    'sns notes: no subscribers; hi [fileId=f-1',
    'sns notes: no subscribers; hi [fileId]',
    'sns notes: no subscribers; hi [fileId=f-1,status=READY] trailing',
    'sns notes: no subscribers; "unterminated',
    'sns notes: no subscribers; "bad \\x escape"',
  ])('given a line that is no such notification (%j), then null', (line) => {
    expect(parseUnsubscribedNotificationLine(line)).toBeNull();
  });
});
