import { type FSWatcher, watch } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { FunctionError, type LocalFunction } from './local-function.js';

/**
 * Hot reload of handlers: each function's own source files (from its bundle's metafile) are
 * watched; an edit rebuilds that function, which switches to the new code only once it builds
 * and initializes. A broken edit leaves the last good version running and the log says why.
 *
 * An edit of shared code reloads every function that bundles it, and each reload starts an
 * execution environment that loads the function's packages (the AWS SDK, sharp): a few hundred
 * ms of CPU each. Run all at once they share the cores and every function is late (measured on
 * 2 cores: 5 functions for one edit of resolvers/files/domain/policy.ts, the files API live after 4 to
 * 7 s under load). So reloads queue, a few at a time, the function invoked most recently first:
 * the one the developer is trying is live after one reload's time.
 */
export interface FunctionWatchOptions {
  readonly log: (line: string) => void;
  /** Waits this long after an edit for more (editors write in several steps). @default 20 */
  readonly debounceMs?: number;
  /** Reloads that run at once. @default one less than the cores, at least 1 */
  readonly concurrency?: number;
  /** When a function last ran (epoch ms, 0 never): the most recent reloads first. */
  readonly lastInvoked?: (fn: LocalFunction) => number;
}

/** One line per event in the log (esbuild's messages span several). */
const describe = (error: unknown): string =>
  (error instanceof FunctionError
    ? `${error.payload.errorType}: ${error.payload.errorMessage}`
    : error instanceof Error
      ? error.message
      : String(error)
  ).replace(/\s*\n\s*/g, ' ');

export function watchFunctions(functions: Iterable<LocalFunction>, options: FunctionWatchOptions): () => void {
  const all = [...functions];
  const debounceMs = options.debounceMs ?? 20;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism() - 1);
  const lastInvoked = options.lastInvoked ?? (() => 0);
  const watchers = new Map<string, FSWatcher>();
  /** The functions an edit touched, reloaded together once the editor is done writing. */
  const edited = new Set<LocalFunction>();
  let timer: NodeJS.Timeout | undefined;
  /** Waiting to reload, with when their edit was seen (the log reports the time from then). */
  const queued = new Map<LocalFunction, number>();
  /** Reloading now; `true` when another edit came in meanwhile (it reloads again after). */
  const reloading = new Map<LocalFunction, boolean>();
  let stopped = false;

  const ownFiles = (fn: LocalFunction) => fn.inputs.filter((file) => !file.includes('/node_modules/'));

  const reloadNow = async (fn: LocalFunction, editedAt: number) => {
    try {
      await fn.reload();
      options.log(`hot reload: ${fn.name} runs the edited code (${Date.now() - editedAt} ms)`);
    } catch (error) {
      options.log(`hot reload: ${fn.name} kept its last good version; the edit does not load: ${describe(error)}`);
    }
  };

  const pump = () => {
    while (!stopped && reloading.size < concurrency && queued.size > 0) {
      const [fn, editedAt] = [...queued].sort(([a], [b]) => lastInvoked(b) - lastInvoked(a))[0]!;
      queued.delete(fn);
      reloading.set(fn, false);
      void reloadNow(fn, editedAt).finally(() => {
        const editedAgain = reloading.get(fn) ?? false;
        reloading.delete(fn);
        if (editedAgain) queued.set(fn, Date.now());
        sync();
        pump();
      });
    }
  };

  // All the functions of one edit queue before any starts, so the most recent goes first.
  const reloadEdited = () => {
    if (stopped) return;
    const editedAt = Date.now();
    for (const fn of edited) {
      // One reload of a function at a time: an edit during one reloads it again afterwards.
      if (reloading.has(fn)) reloading.set(fn, true);
      else if (!queued.has(fn)) queued.set(fn, editedAt);
    }
    edited.clear();
    pump();
  };

  const onChange = (directory: string, filename: string | null) => {
    if (stopped || filename === null) return;
    const file = join(directory, filename);
    const touched = all.filter((fn) => ownFiles(fn).includes(file));
    if (touched.length === 0) return;
    for (const fn of touched) edited.add(fn);
    clearTimeout(timer);
    timer = setTimeout(reloadEdited, debounceMs);
  };

  // Directories, not files: editors often replace a file, which ends a watch on the file itself.
  const sync = () => {
    if (stopped) return;
    const wanted = new Set(all.flatMap((fn) => ownFiles(fn).map((file) => dirname(file))));
    for (const [directory, watcher] of watchers) {
      if (!wanted.has(directory)) {
        watcher.close();
        watchers.delete(directory);
      }
    }
    for (const directory of wanted) {
      if (watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, (_event, filename) => onChange(directory, filename));
        watcher.unref();
        watchers.set(directory, watcher);
      } catch (error) {
        options.log(`hot reload: cannot watch ${directory}: ${describe(error)}`);
      }
    }
  };
  sync();

  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
