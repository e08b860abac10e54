import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** `npm run lint`: the project's APPSYNC_JS resolvers pass AppSync's rules, and the rules bite. */

const cwd = fileURLToPath(new URL('../../..', import.meta.url));

describe('npm run lint (AppSync rules on APPSYNC_JS resolvers)', () => {
  it('given the repository\'s resolvers, when they are linted, then none breaks an AppSync rule', async () => {
    const results = await new ESLint({ cwd }).lintFiles(['resolvers/appsync', 'test/conformance/fixture/resolvers']);
    expect(results.length).toBeGreaterThan(0);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}`))).toEqual([]);
  });

  it('given a resolver with try, throw and ++, when it is linted as a resolver, then each is an error', async () => {
    const code = 'export function request(ctx) { let n = 0; n++; try { n = 1; } catch (e) { throw e; } return {}; }\n';
    const [result] = await new ESLint({ cwd }).lintText(code, { filePath: `${cwd}/resolvers/appsync/example.js` });
    expect(result?.messages.map((m) => m.ruleId).sort()).toEqual(['@aws-appsync/no-disallowed-unary-operators', '@aws-appsync/no-try', 'no-restricted-syntax']);
  });
});
