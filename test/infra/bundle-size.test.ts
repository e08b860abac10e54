import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleBudgetKib } from '../../infra/bundle-budgets.js';
import { FILE_CHANGES_API_ENTRY, FILES_API_ENTRY } from '../../infra/constructs/graphql-api.js';
import { ServiceFunction, bundlingOptions } from '../../infra/constructs/service-function.js';
import { DEAD_LETTERS_ENTRY } from '../../infra/constructs/upload-pipeline.js';
import { repoPath } from '../../infra/paths.js';
import { synthesize } from './synth.js';

interface Bundle {
  readonly entry: string;
  readonly bytes: number;
  /** The bundle's code, minified as deployed. */
  readonly code: string;
  readonly needsSharp: boolean;
  /** The npm packages with code in the bundle. */
  readonly packages: ReadonlySet<string>;
  /** The project's files with code in the bundle (`resolvers/...`). */
  readonly sources: ReadonlySet<string>;
  /** What the bundle imports at run time, left out of it. */
  readonly externalImports: ReadonlySet<string>;
}

/** Builds the entry the way NodejsFunction does with the function's bundling options. */
async function bundle(fn: Pick<ServiceFunction, 'bundling' | 'absoluteEntry' | 'entry' | 'needsSharp'>): Promise<Bundle> {
  const options = fn.bundling;
  const result = await build({
    entryPoints: [fn.absoluteEntry],
    outfile: path.join(path.dirname(fn.absoluteEntry), 'index.mjs'),
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    minify: options.minify,
    sourcemap: false,
    mainFields: options.mainFields,
    banner: options.banner === undefined ? {} : { js: options.banner },
    external: [...options.externalModules, ...options.nodeModules],
    alias: { ...options.alias },
    logLevel: 'silent',
  });
  const [code] = (result.outputFiles ?? []).filter((file) => file.path.endsWith('.mjs'));
  const outputs = Object.values(result.metafile?.outputs ?? {}) as Metafile['outputs'][string][];
  // Only what survived tree-shaking: an input whose every export went unused contributes nothing.
  const inputs = outputs.flatMap((output) => Object.entries(output.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input));
  const packages = new Set(inputs.map((input) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1]).filter((name): name is string => name !== undefined));
  const sources = new Set(inputs.filter((input) => !input.includes('node_modules/')).map((input) => input.replace(/^(?:.*\/)?(resolvers\/)/, '$1')));
  const externalImports = new Set(outputs.flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path)));
  return { entry: fn.entry, bytes: code?.contents.byteLength ?? 0, code: code?.text ?? '', needsSharp: fn.needsSharp, packages, sources, externalImports };
}

describe('given every function of the stack bundled as NodejsFunction bundles it (minify, ESM, node22, externals as configured: the AWS SDK bundled)', () => {
  let bundles: Bundle[];

  beforeAll(async () => {
    const { stack } = synthesize();
    const functions = stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction);
    bundles = await Promise.all(functions.map((fn) => bundle(fn)));
  }, 120_000);

  it('then there is a bundle for each function', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    for (const { entry, bytes } of bundles) expect(bytes, entry).toBeGreaterThan(0);
  });

  it('then each bundle is within its budget (infra/bundle-budgets.ts)', () => {
    const over = bundles
      .filter(({ entry, bytes }) => bytes > bundleBudgetKib(entry) * 1024)
      .map(({ entry, bytes }) => `${entry}: ${(bytes / 1024).toFixed(1)} KiB > ${bundleBudgetKib(entry)} KiB`);
    expect(over).toEqual([]);
  });

  it('then each bundle carries its AWS SDK clients and imports nothing at run time but Node built-ins and, where needed, sharp', () => {
    for (const { entry, packages, externalImports, needsSharp } of bundles) {
      // Loaded from the runtime's node_modules, the SDK costs several times its bundled init.
      expect(packages.has('@aws-sdk/client-dynamodb'), entry).toBe(true);
      const allowed = (name: string) => name.startsWith('node:') || isBuiltin(name) || (needsSharp && (name === 'sharp' || name.startsWith('sharp/')));
      expect([...externalImports].filter((name) => !allowed(name)), entry).toEqual([]);
    }
  });

  it('then no bundle contains sharp (installed for linux-arm64 instead)', () => {
    for (const { entry, packages, needsSharp } of bundles) {
      // A function that imports sharp without `needsSharp` would bundle its JS without the binary.
      expect(packages.has('sharp'), `${entry} bundles sharp: set needsSharp on its ServiceFunction (needsSharp=${String(needsSharp)})`).toBe(false);
    }
  });

  it('then a function carries the S3 client only if it uses the S3 object store, and the X-Ray SDK only if it uses the tracer', () => {
    // Every kilobyte is compiled at each cold start; a client created at import by a shared
    // module would reach every function importing that module.
    for (const { entry, packages, sources } of bundles) {
      expect(packages.has('@aws-sdk/client-s3'), `${entry}: @aws-sdk/client-s3`).toBe(sources.has('resolvers/files/adapters/s3-object-store.ts'));
      expect(packages.has('aws-xray-sdk-core'), `${entry}: aws-xray-sdk-core`).toBe(sources.has('resolvers/files/handlers/observability.ts'));
    }
  });

  it('then the files API function, which only presigns, does not carry the S3 client; the file changes function, which copies and deletes, does', () => {
    const carries = (entry: string) => {
      const bundle = bundles.find((b) => b.entry === entry);
      expect(bundle, entry).toBeDefined();
      return bundle?.packages.has('@aws-sdk/client-s3');
    };
    expect(carries(FILES_API_ENTRY)).toBe(false);
    expect(carries(FILE_CHANGES_API_ENTRY)).toBe(true);
  });

  it('then each bundle resolves credentials from the environment only: none carries the rest of the SDK default chain', () => {
    // SSO, ini files, credential processes, web identity, instance metadata and the STS/SSO
    // clients: ~130 KiB that Lambda, which sets the role's credentials in the environment, never reaches.
    const chain = /^@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login|http)|nested-clients|token-providers)$|^@smithy\/credential-provider-imds$/;
    for (const { entry, packages } of bundles) {
      expect([...packages].filter((name) => chain.test(name)), entry).toEqual([]);
      expect(packages.has('@aws-sdk/credential-provider-env'), entry).toBe(true);
    }
  });

  it('then the orders functions, which use neither S3 nor the tracer, carry neither', () => {
    const saga = bundles.filter(({ entry }) => entry.startsWith('resolvers/orders/'));
    expect(saga.length).toBeGreaterThan(0);
    for (const { entry, packages } of saga) {
      expect([...packages].filter((name) => name === '@aws-sdk/client-s3' || name === 'aws-xray-sdk-core'), entry).toEqual([]);
    }
  });

  it('then the dead-letter function, which only ends files FAILED, carries no image code and needs no sharp', () => {
    const deadLetters = bundles.find(({ entry }) => entry === DEAD_LETTERS_ENTRY);
    expect(deadLetters).toBeDefined();
    expect(deadLetters?.needsSharp).toBe(false);
    expect([...(deadLetters?.externalImports ?? [])].filter((name) => name.startsWith('sharp'))).toEqual([]);
    expect([...(deadLetters?.sources ?? [])].filter((source) => source.endsWith('image-inspection.ts'))).toEqual([]);
  });

  it('then no bundle contains fault-injection code (the local stack applies faults from outside the handlers: local/faults/)', async () => {
    expect(bundles.map(({ entry }) => entry)).toEqual(expect.arrayContaining([expect.stringMatching(/^resolvers\/files\/handlers\//), expect.stringMatching(/^resolvers\/orders\/handlers\//)]));
    for (const found of bundles) expect(faultInjectionIn(found), found.entry).toEqual([]);
    // The check can fail: an entry that reaches the fault rules is caught by it.
    const probe = repoPath('local/faults/rules.ts');
    const caught = await bundle({ bundling: bundlingOptions(false), absoluteEntry: probe, entry: 'local/faults/rules.ts', needsSharp: false });
    expect(faultInjectionIn(caught).length).toBeGreaterThan(0);
  });
});

/** What betrays fault-injection code in a bundle: its sources, its names, the old switch. */
function faultInjectionIn(found: Bundle): string[] {
  const markers = ['InjectedFault', 'PIPELINE_FAULTS', 'dynamodb-throttle', 'step-error', 'step-delay'];
  return [
    ...[...found.sources].filter((source) => source.startsWith('local/') || source.includes('/faults')),
    ...markers.filter((marker) => found.code.includes(marker)),
  ];
}
