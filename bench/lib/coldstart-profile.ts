/**
 * Where a function bundle's init goes: `node --cpu-prof` on a fresh process importing the bundle,
 * each sample's self time charged to the package its bundled code came from (through the
 * bundle's source map), to V8 compiling the bundle, or to Node's own loader and built-ins. And
 * what the bundle is made of: bytes per package, from esbuild's metafile. Together they are the
 * evidence for an init that falls short of its target.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Metafile } from 'esbuild';
import type { CpuProfile, ProfileNode } from './cpuprofile.js';

export interface Share {
  readonly name: string;
  readonly ms: number;
}

export interface InitProfile {
  /** Sampled time of the whole process, node's start-up included, mean over the profiles. */
  readonly totalMs: number;
  /** V8 compiling the bundle's source text (the one module), mean. */
  readonly compileMs: number;
  /** Self time by package (bundled code through the source map), Node area or V8 activity, mean. */
  readonly areas: readonly Share[];
  /** Self time by frame, mean. */
  readonly frames: readonly Share[];
  readonly profiles: number;
}

/** The npm package of a path (`@aws-sdk/client-s3`), or the project file. */
export function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match?.[1]) return match[1];
  const project = /(?:^|\/)((?:resolvers|bench|local|infra)\/.*)$/.exec(path);
  return project?.[1] ?? path;
}

/** Bytes of the minified output each package contributes. */
export function bundleComposition(metafile: Metafile): Share[] {
  const bytes = new Map<string, number>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = input.includes('node_modules/') ? packageOf(input) : 'project code';
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

const COMPILE_FRAMES = new Set(['compileSourceTextModule', 'ModuleWrap']);

function areaOf(frame: ProfileNode['callFrame'], bundleUrl: string, map: SourceMap | undefined): string {
  const { url, functionName, lineNumber, columnNumber } = frame;
  if (COMPILE_FRAMES.has(functionName)) return 'V8 compiling the bundle';
  if (url === bundleUrl) {
    const entry = map?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined;
    if (entry?.originalSource) return packageOf(entry.originalSource);
    // No source: the module's own top level, or esbuild's runtime helpers. The helpers that run a
    // wrapped module (`__esm`, `__commonJS`) are charged with V8 compiling it on its first call.
    return lineNumber === 0 && columnNumber === 0 ? 'bundle top level' : 'esbuild module wrappers (lazy compile)';
  }
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*$/, 'node:internal/$1');
  return packageOf(url.replace(/^file:\/\//, ''));
}

/** Spawns `node --cpu-prof` `runs` times on the loader, with `env`, and sums up where the time went. */
export async function profileInit(options: {
  readonly loader: string;
  readonly bundle: string;
  readonly handlerName: string;
  readonly env: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly runs: number;
  readonly top: number;
}): Promise<InitProfile> {
  const { loader, bundle, handlerName, env, dir, runs, top } = options;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (let run = 0; run < runs; run += 1) {
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, loader, bundle, handlerName], {
        cwd: dirname(loader),
        env,
        stdio: 'ignore',
      });
      child.once('exit', () => resolve());
    });
  }
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    map = undefined;
  }
  const bundleUrl = new URL(bundle, 'file://').href;
  const areas = new Map<string, number>();
  const frames = new Map<string, number>();
  let totalMs = 0;
  let compileMs = 0;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i += 1) {
      const node = byId.get(profile.samples[i] ?? -1);
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totalMs += ms;
      if (!node || node.callFrame.functionName === '(idle)') continue;
      const area = areaOf(node.callFrame, bundleUrl, map);
      if (area === 'V8 compiling the bundle') compileMs += ms;
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const where = node.callFrame.url === bundleUrl ? (area.startsWith('esbuild') ? 'esbuild wrapper' : area) : node.callFrame.url ? basename(node.callFrame.url) : '';
      const frame = `${node.callFrame.functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
      frames.set(frame, (frames.get(frame) ?? 0) + ms);
    }
  }
  const n = Math.max(1, files.length);
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .map(([name, ms]) => ({ name, ms: ms / n }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { totalMs: totalMs / n, compileMs: compileMs / n, areas: ranked(areas), frames: ranked(frames), profiles: files.length };
}
