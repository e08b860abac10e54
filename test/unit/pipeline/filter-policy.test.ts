import { describe, expect, it } from 'vitest';
import { matchesFilterPolicy } from '../../../local/messaging/filter-policy.js';

const withAttributes = (attributes: Record<string, { DataType: string; StringValue: string }>) => ({ body: '{}', attributes });

describe('SNS subscription filter policies', () => {
  it.each([
    [{ status: ['READY', 'FAILED'] }, { status: { DataType: 'String', StringValue: 'FAILED' } }, true],
    [{ status: ['READY', 'FAILED'] }, { status: { DataType: 'String', StringValue: 'PROCESSING' } }, false],
    [{ status: ['READY'] }, {}, false],
    [{ kind: [{ exists: false }] }, {}, true],
    [{ kind: [{ exists: true }] }, {}, false],
    [{ size: [{ numeric: ['>', 10, '<=', 20] }] }, { size: { DataType: 'Number', StringValue: '20' } }, true],
    [{ size: [{ numeric: ['>', 10, '<=', 20] }] }, { size: { DataType: 'Number', StringValue: '21' } }, false],
    [{ key: [{ prefix: 'uploads/' }] }, { key: { DataType: 'String', StringValue: 'uploads/a' } }, true],
    [{ key: [{ 'anything-but': ['x', 'y'] }] }, { key: { DataType: 'String', StringValue: 'y' } }, false],
    [{ tag: ['b'] }, { tag: { DataType: 'String.Array', StringValue: '["a","b"]' } }, true],
    [{ a: ['1'], b: ['2'] }, { a: { DataType: 'String', StringValue: '1' } }, false],
  ])('given the policy %j and attributes %j, then match is %s', (policy, attributes, expected) => {
    expect(matchesFilterPolicy(policy, 'MessageAttributes', withAttributes(attributes))).toBe(expected);
  });

  it('given a MessageBody policy on an S3 event, when an element of Records matches, then the message matches', () => {
    const body = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: 'uploads/u/f' } } }] });
    const policy = { Records: { eventName: [{ prefix: 'ObjectCreated:' }], s3: { object: { key: [{ prefix: 'uploads/' }] } } } };
    expect(matchesFilterPolicy(policy, 'MessageBody', { body, attributes: {} })).toBe(true);
    expect(matchesFilterPolicy({ Records: { eventName: ['ObjectRemoved:Delete'] } }, 'MessageBody', { body, attributes: {} })).toBe(false);
  });
});
