import { describe, expect, it } from 'vitest';
import { lambdaDataSource } from '../../../local/graphql/data-sources/lambda.js';

/**
 * `invocationType: "Event"` in a Lambda request (AppSync's resolver reference for Lambda): the
 * function is invoked asynchronously and the field does not wait for it
 * (serverless-patterns' appsync-lambda-bedrock-async-stream-subscription-cdk).
 */
describe('a Lambda data source invoked with invocationType Event', () => {
  it('given a function still running, when the field runs, then it answers at once with a null result and the function gets the payload', async () => {
    let finish: () => void = () => undefined;
    const invoked: unknown[] = [];
    const source = lambdaDataSource('Ds', 'Fn', {
      invokeFunction: async (_id, event) => {
        invoked.push(event);
        await new Promise<void>((resolve) => (finish = resolve));
        return { ignored: true };
      },
    });
    const outcome = await source.run({ operation: 'Invoke', invocationType: 'Event', payload: { prompt: 'hi' } });
    expect(outcome).toEqual({ ok: true, result: null });
    expect(invoked).toEqual([{ prompt: 'hi' }]);
    finish();
  });

  it('given a function that fails, when invoked with Event, then the field still succeeds and the failure is logged', async () => {
    const lines: string[] = [];
    const failure = Object.assign(new Error('boom'), { payload: { errorType: 'Error', errorMessage: 'boom' } });
    const source = lambdaDataSource('Ds', 'Fn', { invokeFunction: async () => Promise.reject(failure), log: (line) => lines.push(line) });
    expect(await source.run({ operation: 'Invoke', invocationType: 'Event', payload: {} })).toEqual({ ok: true, result: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual(['Ds: the asynchronous (Event) invocation of Fn failed: Error: boom']);
  });

  it('given an unknown invocationType, when the field runs, then it is a mapping template error', async () => {
    const source = lambdaDataSource('Ds', 'Fn', { invokeFunction: async () => null });
    await expect(source.run({ operation: 'Invoke', invocationType: 'Later', payload: {} })).rejects.toThrow(/invocationType is RequestResponse or Event, not Later/);
  });
});
