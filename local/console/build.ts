/**
 * The web console (console/) built with Vite's JS API when `npm start` begins, once per content:
 * its sources, the generated operations it imports, the lock file (the libraries' versions) and
 * this file are hashed, and a build whose hash is already under node_modules/.cache is reused, as
 * function bundles are. A fresh build (tens of seconds on a busy machine) runs in parallel with
 * the rest of the start; a request for the console waits for it.
 *
 * A build goes to a directory of its own and is renamed into place, so two stacks starting at
 * once (the test projects) never serve a half-written one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What a build reads besides console/ itself. */
const FIXED_INPUTS = ['client/generated/operations.ts', 'package-lock.json', 'local/console/build.ts'];

export interface ConsoleBuild {
  /** The directory holding index.html and assets/. */
  readonly dir: string;
  /** True when this start built it; false when a cached build was reused. */
  readonly built: boolean;
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.filter((e) => e.name !== 'node_modules').map((e) => filesUnder(join(path, e.name))));
  return nested.flat();
}

/** The hash of everything the console's build is made of: paths and contents. */
export async function consoleSourceHash(projectDir: string): Promise<string> {
  const files = [...(await filesUnder(join(projectDir, 'console'))), ...FIXED_INPUTS.map((f) => join(projectDir, f))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(projectDir, file));
    hash.update('\0');
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/** The built console for the current sources: the cached one, or a new build. */
export async function buildConsole(projectDir: string): Promise<ConsoleBuild> {
  const cacheDir = join(projectDir, 'node_modules', '.cache', 'appsync-console');
  const hash = await consoleSourceHash(projectDir);
  const dir = join(cacheDir, hash);
  if (await exists(join(dir, 'index.html'))) return { dir, built: false };

  const staging = join(cacheDir, `${hash}.${process.pid}.${Date.now()}`);
  await mkdir(cacheDir, { recursive: true });
  // Loaded only when a build is needed: Vite and its plugins are a second of module loading.
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    root: join(projectDir, 'console'),
    configFile: false,
    logLevel: 'warn',
    base: '/',
    plugins: [react()],
    build: {
      outDir: staging,
      emptyOutDir: true,
      sourcemap: false,
      // The explorer (GraphiQL and its editor) is a chunk of its own, loaded when opened.
      chunkSizeWarningLimit: 4000,
      rolldownOptions: {
        // GraphiQL's modules carry React compiler directives that bundling drops harmlessly.
        onLog(level, log, handler) {
          if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
          handler(level, log);
        },
      },
    },
    worker: { format: 'es' },
  });
  try {
    await rename(staging, dir);
  } catch (error) {
    // Another start built the same sources first: its copy is as good as this one.
    if (!(await exists(join(dir, 'index.html')))) throw error;
    await rm(staging, { recursive: true, force: true });
  }
  await pruneOldBuilds(cacheDir, hash);
  return { dir, built: true };
}

/** Keeps the cache to the current build and the two most recent others (a branch switch back). */
async function pruneOldBuilds(cacheDir: string, keep: string): Promise<void> {
  const entries = await readdir(cacheDir, { withFileTypes: true });
  const others = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && e.name !== keep && !e.name.includes('.'))
      .map(async (e) => ({ path: join(cacheDir, e.name), at: (await stat(join(cacheDir, e.name))).mtimeMs })),
  );
  others.sort((a, b) => b.at - a.at);
  await Promise.all(others.slice(2).map((o) => rm(o.path, { recursive: true, force: true })));
}
