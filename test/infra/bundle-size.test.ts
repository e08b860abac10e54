import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleBudgetKib } from '../../infra/bundle-budgets.js';
import { ServiceFunction } from '../../infra/constructs/service-function.js';
import { synthesize } from './synth.js';

interface Bundle {
  readonly entry: string;
  readonly bytes: number;
  readonly needsSharp: boolean;
  readonly packages: ReadonlySet<string>;
}

/** Builds the entry the way NodejsFunction does with the function's bundling options. */
async function bundle(fn: ServiceFunction): Promise<Bundle> {
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
    logLevel: 'silent',
  });
  const [code] = (result.outputFiles ?? []).filter((file) => file.path.endsWith('.mjs'));
  const outputs = Object.values(result.metafile?.outputs ?? {}) as Metafile['outputs'][string][];
  const inputs = outputs.flatMap((output) => Object.keys(output.inputs));
  const packages = new Set(inputs.map((input) => input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1]).filter((name): name is string => name !== undefined));
  return { entry: fn.entry, bytes: code?.contents.byteLength ?? 0, needsSharp: fn.needsSharp, packages };
}

describe('given every function of the stack bundled as NodejsFunction bundles it (minify, ESM, node22, externals as configured)', () => {
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

  it('then no bundle contains the AWS SDK (the runtime provides it) or sharp (installed for linux-arm64 instead)', () => {
    for (const { entry, packages, needsSharp } of bundles) {
      expect([...packages].filter((name) => name.startsWith('@aws-sdk/')), entry).toEqual([]);
      // A function that imports sharp without `needsSharp` would bundle its JS without the binary.
      expect(packages.has('sharp'), `${entry} bundles sharp: set needsSharp on its ServiceFunction (needsSharp=${String(needsSharp)})`).toBe(false);
    }
  });
});
