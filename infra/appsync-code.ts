/**
 * APPSYNC_JS resolvers are written in TypeScript and deployed as one ES module each, bundled
 * as AWS's documentation for TypeScript resolvers describes: esbuild, ESM, `esnext`, with
 * `@aws-appsync/utils` left to the runtime, an inline source map without sources. The CDK app
 * deploys these bundles; the local stack runs the same ones, read from the synthesized template.
 */
import { buildSync } from 'esbuild';

export function bundleAppSyncJs(entryPath: string): string {
  const result = buildSync({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'esnext',
    external: ['@aws-appsync/utils'],
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no bundle for ${entryPath}`);
  return output.text;
}
