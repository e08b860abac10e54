import { describe, expect, it } from 'vitest';
import { ResolverCodeError } from '../../../local/graphql/appsync-js.js';
import { loadResolverCode } from '../../../local/graphql-adapters/resolver-code.js';

/**
 * Resolver code AppSync's APPSYNC_JS runtime refuses does not load locally either
 * (appsync-behaviour.md §3): the same rules as @aws-appsync/eslint-plugin, plus `throw`.
 */

const resolver = (body: string) => `export function request(ctx) {\n  ${body}\n  return {};\n}\nexport function response(ctx) { return ctx.result; }`;

describe('APPSYNC_JS restrictions at load', () => {
  it.each([
    ['try/catch', 'try { ctx.a(); } catch (e) { ctx.b = 1; }', 'no-try'],
    ['throw', "throw new Error('no');", 'no-restricted-syntax'],
    ['while', 'while (ctx.a) { ctx.a = false; }', 'no-while'],
    ['do-while', 'do { ctx.a = false; } while (ctx.a);', 'no-while'],
    ['classic for', 'for (let i = 0; i < 2; i += 1) { ctx.a = i; }', 'no-for'],
    ['continue', 'for (const x of ctx.list) { if (x) { continue; } }', 'no-continue'],
    ['a label', 'outer: for (const x of ctx.list) { ctx.a = x; }', 'no-labels'],
    ['++', 'let n = 0; n++;', 'no-disallowed-unary-operators'],
    ['--', 'let n = 1; n--;', 'no-disallowed-unary-operators'],
    ['~', 'const n = ~ctx.a;', 'no-disallowed-unary-operators'],
    ['the in operator', "const has = 'a' in ctx;", 'no-in-operator'],
    ['a regex literal', 'const ok = /a+/.test(ctx.a);', 'no-regex'],
    ['a class', 'class A {}', 'no-classes'],
    ['async', 'const f = async () => 1;', 'no-async'],
  ])('given resolver code with %s, when it is loaded, then it is refused naming the resolver, the line and the rule', (_what, body, rule) => {
    expect(() => loadResolverCode(resolver(body), 'Query.example')).toThrow(ResolverCodeError);
    try {
      loadResolverCode(resolver(body), 'Query.example');
    } catch (error) {
      expect((error as Error).message).toMatch(/^Query\.example: the APPSYNC_JS runtime does not support:/);
      expect((error as Error).message).toMatch(new RegExp(`2:\\d+ .*${rule}`));
    }
  });

  it('given code using what the runtime allows (for-of, for-in, spread, ??, ?., template literals, arrows), when it is loaded, then it runs', () => {
    const code = `export function request(ctx) {
      const out = [];
      for (const x of ctx.list) { out.push(x); }
      for (const k in ctx.map) { out.push(k); }
      const merged = { ...ctx.map, extra: ctx.missing ?? 'default', deep: ctx.map?.a };
      return { payload: { out, merged, text: \`n=\${out.length}\`, doubled: out.map((x) => x + x) } };
    }
    export function response(ctx) { return ctx.result; }`;
    const module = loadResolverCode(code, 'Query.allowed');
    expect(module.request({ list: ['a'], map: { a: 1 } })).toEqual({
      payload: { out: ['a', 'a'], merged: { a: 1, extra: 'default', deep: 1 }, text: 'n=2', doubled: ['aa', 'aa'] },
    });
  });

  it('given code importing anything but @aws-appsync/utils, when it is loaded, then it is refused', () => {
    expect(() => loadResolverCode("import x from 'node:fs';\nexport function request() { return {}; }\nexport function response() { return x; }", 'Query.fs')).toThrow(
      /cannot import node:fs/,
    );
  });
});
