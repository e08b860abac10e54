import { afterEach, describe, expect, it } from 'vitest';
import { NOW, type Stubs, clearStubs, loadResolver, makeStubs } from '../support/appsync-js.js';
import { JS_RESOLVERS } from '../../infra/constructs/graphql-api.js';
import { bundleAppSyncJs } from '../../infra/appsync-code.js';

const codePathOf = (fieldName: string): string => {
  const resolver = JS_RESOLVERS.find((candidate) => candidate.fieldName === fieldName);
  if (resolver === undefined) throw new Error(`no resolver for ${fieldName}`);
  return resolver.codePath;
};
// What is deployed: the bundle, with `@aws-appsync/utils` left to the runtime.
const codeOf = (fieldName: string): string => bundleAppSyncJs(codePathOf(fieldName));
const load = (fieldName: string, stubs: Stubs) => loadResolver(codePathOf(fieldName), stubs);

afterEach(clearStubs);

describe.each(JS_RESOLVERS)('given the APPSYNC_JS code of $typeName $fieldName', ({ fieldName }) => {
  it('then it uses no construct the APPSYNC_JS runtime rejects', () => {
    const code = codeOf(fieldName)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/'[^'\n]*'|`[^`]*`/g, "''")
      // for-in is allowed; the `in` operator is not.
      .replace(/\bfor\s*\(\s*(?:const|let|var)\s+[\w$]+\s+in\b/g, 'for (const x of');
    for (const forbidden of [
      /\btry\b/,
      /\bcatch\b/,
      /\bfinally\b/,
      /\bthrow\b/,
      /\bwhile\b/,
      /\bdo\s*\{/,
      /\bfor\s*\([^)]*;/,
      /\bcontinue\b/,
      /\+\+|--/,
      /~/,
      /\bin\b/,
      /^\s*[A-Za-z_$][\w$]*:\s*(for|while|do)\b/m,
    ]) {
      expect(code).not.toMatch(forbidden);
    }
  });

  it('then it exports request and response and imports nothing but @aws-appsync/utils', () => {
    const code = codeOf(fieldName);
    expect(code).toMatch(/^export \{\s*request,\s*response\s*\};$/m);
    const imports = [...code.matchAll(/^import .* from ["']([^"']+)["'];$/gm)].map((match) => match[1]);
    expect(imports).toEqual(['@aws-appsync/utils']);
  });
});

describe('given Mutation.publishFileEvent', () => {
  const input = { fileId: 'f1', owner: 'user-1', status: 'PROCESSING', step: 'PROCESS', message: 'working' };

  it('when the request runs, then the payload is the input stamped with the current time', async () => {
    const resolver = await load('publishFileEvent', makeStubs());
    expect(resolver.request({ arguments: { input }, args: { input } })).toEqual({ payload: { ...input, at: NOW } });
  });

  it('when the response runs, then it returns the NONE data source result as is', async () => {
    const resolver = await load('publishFileEvent', makeStubs());
    const result = { ...input, at: NOW };
    expect(resolver.response({ result })).toBe(result);
  });
});

describe('given Subscription.onFileEvent', () => {
  const identity = { sub: 'user-1', username: 'alice' };

  it('when the request runs, then it sends a null payload', async () => {
    const resolver = await load('onFileEvent', makeStubs());
    expect(resolver.request({ args: {}, arguments: {}, identity })).toEqual({ payload: null });
  });

  it('when subscribing without fileId, then the filter keeps the caller\'s events only', async () => {
    const stubs = makeStubs();
    const resolver = await load('onFileEvent', stubs);
    expect(resolver.response({ args: {}, arguments: {}, identity })).toBeNull();
    expect(stubs.filters).toEqual([{ converted: { owner: { eq: 'user-1' } } }]);
  });

  it('when subscribing with fileId: null, then it is the same as without', async () => {
    const stubs = makeStubs();
    const resolver = await load('onFileEvent', stubs);
    resolver.response({ args: { fileId: null }, arguments: { fileId: null }, identity });
    expect(stubs.filters).toEqual([{ converted: { owner: { eq: 'user-1' } } }]);
  });

  it('when subscribing with a fileId, then the filter ANDs the owner and the file', async () => {
    const stubs = makeStubs();
    const resolver = await load('onFileEvent', stubs);
    resolver.response({ args: { fileId: 'f9' }, arguments: { fileId: 'f9' }, identity });
    expect(stubs.filters).toEqual([{ converted: { owner: { eq: 'user-1' }, fileId: { eq: 'f9' } } }]);
  });

  it('when the caller has no sub, then it is unauthorized and no filter is set', async () => {
    const stubs = makeStubs();
    const resolver = await load('onFileEvent', stubs);
    expect(() => resolver.response({ args: {}, arguments: {}, identity: null })).toThrow('Unauthorized');
    expect(stubs.filters).toEqual([]);
  });
});
