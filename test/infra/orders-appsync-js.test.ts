import appsync from '@aws-appsync/eslint-plugin';
import { ESLint } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';
import { NOW, type Stubs, clearStubs, loadResolver, makeStubs } from '../support/appsync-js.js';
import { ORDERS_JS_RESOLVERS } from '../../infra/constructs/orders-api.js';
import { bundleAppSyncJs } from '../../infra/appsync-code.js';

const codePathOf = (fieldName: string): string => {
  const resolver = ORDERS_JS_RESOLVERS.find((candidate) => candidate.fieldName === fieldName);
  if (resolver === undefined) throw new Error(`no resolver for ${fieldName}`);
  return resolver.codePath;
};
const load = (fieldName: string, stubs: Stubs) => loadResolver(codePathOf(fieldName), stubs);

afterEach(clearStubs);

describe.each(ORDERS_JS_RESOLVERS)('given the APPSYNC_JS code of $typeName $fieldName', ({ fieldName }) => {
  it("then AppSync's own lint rules (@aws-appsync/eslint-plugin, base) find nothing the runtime rejects", async () => {
    const base = appsync.configs?.['base'] as ESLint.Options['overrideConfig'];
    expect(base).toBeDefined();
    const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: base ?? null });
    // What is deployed: the bundle of the TypeScript source.
    const [result] = await eslint.lintText(bundleAppSyncJs(codePathOf(fieldName)));
    expect(result?.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`)).toEqual([]);
  });
});

describe('given Mutation.publishOrderEvent', () => {
  const input = { orderId: 'o-1', owner: 'user-1', status: 'PAID', step: 'PAYMENT', message: 'Charged' };

  it('when it runs, then the event is the input stamped with the current time, returned as is', async () => {
    const resolver = await load('publishOrderEvent', makeStubs());
    const requested = resolver.request({ arguments: { input }, args: { input } }) as { payload: unknown };
    expect(requested).toEqual({ payload: { ...input, at: NOW } });
    expect(resolver.response({ result: requested.payload })).toBe(requested.payload);
  });
});

describe('given Subscription.onOrderEvent', () => {
  const identity = { sub: 'user-1', username: 'alice' };

  it.each([
    ['without orderId', {}, { owner: { eq: 'user-1' } }],
    ['with orderId null', { orderId: null }, { owner: { eq: 'user-1' } }],
    ['with an orderId', { orderId: 'o-9' }, { owner: { eq: 'user-1' }, orderId: { eq: 'o-9' } }],
  ])('when subscribing %s, then the filter keeps the caller\'s own events (of that order)', async (_label, args, filter) => {
    const stubs = makeStubs();
    const resolver = await load('onOrderEvent', stubs);
    expect(resolver.request({ args, arguments: args, identity })).toEqual({ payload: null });
    expect(resolver.response({ args, arguments: args, identity })).toBeNull();
    expect(stubs.filters).toEqual([{ converted: filter }]);
  });

  it('when the caller has no sub, then it is unauthorized and no filter is set', async () => {
    const stubs = makeStubs();
    const resolver = await load('onOrderEvent', stubs);
    expect(() => resolver.response({ args: {}, arguments: {}, identity: null })).toThrow('Unauthorized');
    expect(stubs.filters).toEqual([]);
  });
});
