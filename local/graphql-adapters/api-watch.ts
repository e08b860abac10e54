import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Hot reload of the API: the schema and the resolvers' code live in the synthesized template, so
 * an edit under the CDK app's watched paths re-synthesizes it and builds a new engine. The new
 * engine replaces the running one only if it builds (the schema is valid for AppSync, the
 * resolver code loads); otherwise the running API stays and the log says why.
 */

export interface ApiWatchOptions {
  /** Directories to watch, recursively. */
  readonly paths: readonly string[];
  /**
   * Re-synthesizes and builds the next engines; throws when the edit does not load. Returns what
   * puts them in service, so a stop while building leaves the running ones.
   */
  readonly rebuild: () => Promise<() => void>;
  readonly log: (line: string) => void;
  /** Files whose edits another watcher handles (a function's own sources): no re-synthesis for them. */
  readonly ignore?: (file: string) => boolean;
  /** @default 300 */
  readonly debounceMs?: number;
}

const IGNORED = /(^|\/)(node_modules|cdk\.out|\.local|\.git)(\/|$)|amplify_outputs\.json$/;

export function watchApi(options: ApiWatchOptions): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const reload = async () => {
    const started = Date.now();
    try {
      const serve = await options.rebuild();
      if (stopped) return;
      serve();
      options.log(`hot reload: the API serves the edited schema and resolvers (${Date.now() - started} ms)`);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
      options.log(`hot reload: kept the running API; the edit does not load: ${reason}`);
    }
  };

  const schedule = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = reload().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule();
      }
    });
  };

  for (const path of options.paths) {
    try {
      const watcher = watch(path, { recursive: true }, (_event, filename) => {
        if (filename === null || IGNORED.test(filename) || options.ignore?.(join(path, filename))) return;
        clearTimeout(timer);
        timer = setTimeout(schedule, options.debounceMs ?? 300);
      });
      watcher.unref();
      watchers.push(watcher);
    } catch (error) {
      options.log(`hot reload: cannot watch ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
