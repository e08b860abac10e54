import { describe, expect, it } from 'vitest';
import { BatchQueue } from '../../../local/graphql/batch.js';
import { FieldError } from '../../../local/graphql/errors.js';

/** BatchInvoke's contract (appsync-behaviour.md §2), without a Lambda: a recording invoker. */

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

describe('BatchQueue', () => {
  it('given loads made in one turn, when they flush, then the invoker gets them in order in chunks of maxBatchSize', async () => {
    const calls: unknown[][] = [];
    const queue = new BatchQueue(async (events) => {
      calls.push([...events]);
      return events.map((event) => ({ data: event }));
    }, 2);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => queue.load(n)));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('given an item with errorMessage, then only that load fails, with the item\'s errorType', async () => {
    const queue = new BatchQueue(async (events) => events.map((event) => (event === 'bad' ? { data: null, errorMessage: 'nope', errorType: 'ItemError' } : { data: event })), 10);
    const [good, bad] = await settle([queue.load('good'), queue.load('bad')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ errorType: 'ItemError', message: 'nope' }) });
  });

  it('given a function that answers with the wrong number of items, then every load of that batch fails saying so', async () => {
    const queue = new BatchQueue(async () => [{ data: 1 }], 10);
    const outcomes = await settle([queue.load('a'), queue.load('b')]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(FieldError);
      expect(String((outcome as PromiseRejectedResult).reason.message)).toMatch(/must return an array of 2 items; got 1 items/);
    }
  });

  it('given a function that fails, then every load of that batch fails with its error', async () => {
    const queue = new BatchQueue(async () => {
      throw new FieldError('Lambda:Unhandled', 'boom');
    }, 10);
    const outcomes = await settle([queue.load('a'), queue.load('b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
