/**
 * `npm run lint`: AppSync's ESLint rules (eslint.config.js) on what is deployed. The TypeScript
 * resolvers are linted as their bundles, since the bundle, not the source, is what the APPSYNC_JS
 * runtime must accept; the conformance fixture's plain-JS resolvers are linted as they are.
 */
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { ESLint } from 'eslint';
import { bundleAppSyncJs } from '../infra/appsync-code.js';
import { JS_RESOLVERS } from '../infra/constructs/graphql-api.js';
import { ORDERS_JS_RESOLVERS } from '../infra/constructs/orders-api.js';

const projectDir = fileURLToPath(new URL('..', import.meta.url));

/** Every APPSYNC_JS code path the CDK app deploys. */
export const deployedResolverSources = (): string[] => [...JS_RESOLVERS, ...ORDERS_JS_RESOLVERS].map((r) => r.codePath);

/** Lints each deployed bundle (named as the `.js` it becomes) and the fixture's resolvers. */
export async function lintAppSyncJs(cwd: string = projectDir): Promise<ESLint.LintResult[]> {
  const eslint = new ESLint({ cwd });
  const bundles = await Promise.all(
    deployedResolverSources().map(async (source) => {
      const [result] = await eslint.lintText(bundleAppSyncJs(source), { filePath: source.replace(/\.ts$/, '.js') });
      if (!result) throw new Error(`ESLint returned nothing for ${source}`);
      return result;
    }),
  );
  return [...bundles, ...(await eslint.lintFiles(['test/conformance/fixture/resolvers']))];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await lintAppSyncJs();
  const problems = results.flatMap((r) => r.messages.map((m) => `${relative(projectDir, r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message}`));
  for (const line of problems) console.error(line);
  console.log(`APPSYNC_JS lint: ${results.length} files, ${problems.length} problems`);
  if (problems.length > 0) process.exit(1);
}
