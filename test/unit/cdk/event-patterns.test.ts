import { describe, expect, it } from 'vitest';
import { LocalEventBuses } from '../../../local/events/bus.js';
import { matchesPattern } from '../../../local/events/pattern.js';

/** EventBridge content filtering and delivery to a rule's targets, as the EventBridge user guide describes them. */
const event = {
  source: 'shop.orders',
  'detail-type': 'OrderPlaced',
  detail: { total: 150, state: 'new', tags: ['a', 'b'], customer: { tier: 'gold' } },
};

describe('event patterns', () => {
  it.each([
    [{ source: ['shop.orders'] }, true],
    [{ source: ['other', 'shop.orders'] }, true],
    [{ source: ['other'] }, false],
    [{ detail: { total: [{ numeric: ['>', 100, '<=', 150] }] } }, true],
    [{ detail: { total: [{ numeric: ['>', 150] }] } }, false],
    [{ detail: { state: [{ prefix: 'ne' }] } }, true],
    [{ detail: { state: [{ 'anything-but': ['new'] }] } }, false],
    [{ detail: { state: [{ 'anything-but': 'old' }] } }, true],
    [{ detail: { tags: ['b'] } }, true],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { total: [{ exists: false }] } }, false],
    [{ detail: { customer: { tier: ['gold'] } } }, true],
    [{ 'detail-type': [{ 'equals-ignore-case': 'orderplaced' }] }, true],
    [{ 'detail-type': [{ wildcard: 'Order*' }] }, true],
  ])('given pattern %j, when matched against the event, then the answer is %s', (pattern, expected) => {
    expect(matchesPattern(pattern as Record<string, unknown>, event)).toBe(expected);
  });
});

describe('local event buses', () => {
  const template = {
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      Big: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: { Ref: 'Bus' },
          EventPattern: { source: ['shop.orders'], detail: { total: [{ numeric: ['>', 100] }] } },
          Targets: [{ Id: 'q', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } }, { Id: 'f', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, InputPath: '$.detail' }],
        },
      },
      OnDefault: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['shop.orders'] }, Targets: [{ Id: 'q', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] } },
    },
  };

  it('given two orders on the custom bus, when put, then only the matching one reaches the queue (whole event) and the function (its detail)', async () => {
    const sent: string[] = [];
    const invoked: unknown[] = [];
    const buses = new LocalEventBuses(
      template,
      {
        invoke: async (_id, payload) => invoked.push(payload),
        sendToQueue: (_id, body) => sent.push(body) > 0,
        publishToTopic: () => false,
        log: () => undefined,
      },
      'us-east-1',
      '000000000000',
    );
    const { eventIds } = buses.put({ 'Fn::GetAtt': ['Bus', 'Arn'] }, [
      { source: 'shop.orders', detailType: 'OrderPlaced', detail: { total: 150 } },
      { source: 'shop.orders', detailType: 'OrderPlaced', detail: { total: 50 } },
    ]);
    await Promise.resolve();
    expect(eventIds).toHaveLength(2);
    expect(sent.map((b) => (JSON.parse(b) as { id: string; detail: unknown }).id)).toEqual([eventIds[0]]);
    expect(JSON.parse(sent[0] ?? '{}')).toMatchObject({ source: 'shop.orders', 'detail-type': 'OrderPlaced', account: '000000000000', region: 'us-east-1', detail: { total: 150 } });
    expect(invoked).toEqual([{ total: 150 }]);
  });
});
