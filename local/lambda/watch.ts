import { type FSWatcher, watch } from 'node:fs';
import { dirname, join } from 'node:path';
import { FunctionError, type LocalFunction } from './local-function.js';

/**
 * Hot reload of handlers: each function's own source files (from its bundle's metafile) are
 * watched; an edit rebuilds that function, which switches to the new code only once it builds
 * and initializes. A broken edit leaves the last good version running and the log says why.
 */
export interface FunctionWatchOptions {
  readonly log: (line: string) => void;
  /** Waits this long after an edit for more (editors write in several steps). @default 20 */
  readonly debounceMs?: number;
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
  const watchers = new Map<string, FSWatcher>();
  const timers = new Map<LocalFunction, NodeJS.Timeout>();
  const running = new Map<LocalFunction, Promise<void>>();
  let stopped = false;

  const ownFiles = (fn: LocalFunction) => fn.inputs.filter((file) => !file.includes('/node_modules/'));

  const reload = (fn: LocalFunction) => {
    const started = Date.now();
    const previous = running.get(fn) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (stopped) return;
      try {
        await fn.reload();
        options.log(`hot reload: ${fn.name} runs the edited code (${Date.now() - started} ms)`);
      } catch (error) {
        options.log(`hot reload: ${fn.name} kept its last good version; the edit does not load: ${describe(error)}`);
      }
      sync();
    });
    running.set(fn, next);
  };

  const onChange = (directory: string, filename: string | null) => {
    if (stopped || filename === null) return;
    const file = join(directory, filename);
    for (const fn of all) {
      if (!ownFiles(fn).includes(file)) continue;
      clearTimeout(timers.get(fn));
      timers.set(
        fn,
        setTimeout(() => reload(fn), debounceMs),
      );
    }
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
    for (const timer of timers.values()) clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
