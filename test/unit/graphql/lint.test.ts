import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { deployedResolverSources, lintAppSyncJs } from '../../../scripts/lint-appsync.js';

/** `npm run lint`: the project's APPSYNC_JS resolvers pass AppSync's rules, and the rules bite. */

const cwd = fileURLToPath(new URL('../../..', import.meta.url));

describe('npm run lint (AppSync rules on APPSYNC_JS resolvers)', () => {
  it('given the repository\'s resolvers, when their deployed bundles are linted, then none breaks an AppSync rule', async () => {
    const results = await lintAppSyncJs(cwd);
    const bundles = deployedResolverSources().map((source) => source.replace(/\.ts$/, '.js'));
    expect(bundles).toHaveLength(4);
    expect(results.filter((r) => bundles.includes(r.filePath))).toHaveLength(4);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}`))).toEqual([]);
  });

  it('given a resolver with try, throw and ++, when it is linted as a resolver, then each is an error', async () => {
    const code = 'export function request(ctx) { let n = 0; n++; try { n = 1; } catch (e) { throw e; } return {}; }\n';
    const [result] = await new ESLint({ cwd }).lintText(code, { filePath: `${cwd}/resolvers/appsync/example.js` });
    expect(result?.messages.map((m) => m.ruleId).sort()).toEqual(['@aws-appsync/no-disallowed-unary-operators', '@aws-appsync/no-try', 'no-restricted-syntax']);
  });
});

describe('npm run typecheck (tsc, strict) on APPSYNC_JS resolvers', () => {
  it('given the project tsconfig, then every deployed resolver source is TypeScript that tsc checks', () => {
    const configPath = `${cwd}/tsconfig.json`;
    const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, cwd);
    const sources = deployedResolverSources();
    expect(sources.filter((source) => source.endsWith('.ts'))).toHaveLength(sources.length);
    expect(sources.filter((source) => parsed.fileNames.includes(source))).toHaveLength(sources.length);
    expect(parsed.options.strict).toBe(true);
  });
});
