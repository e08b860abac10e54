/**
 * The stack's V8 heap settings: one process runs the GraphQL endpoint, the local S3, the queues and
 * every function's execution environments (worker threads), and 5 MB images stream through it.
 *
 * V8 sizes heaps for memory, not throughput: each heap starts with an old-generation limit a few
 * MB above what is live and grows it by as little as 10%, and the memory reducer collects again
 * whenever a heap goes quiet. Measured on the upload pipeline (60 images): 77 to 110 full
 * mark-compacts, each marked on the cores the image work needs, and each a pause for the thread
 * it belongs to; with these three settings, 5 to 8 (docs/local-stack.md, "Where the CPU goes").
 *
 * The flags are the process's: `--initial-old-space-size` applies to heaps set up after it (every
 * worker; the main thread's exists already), the other two to every heap from now on. So the
 * program that owns the process sets them (`npm start`, main.ts), not `startLocalStack`, which
 * also runs inside test runners. A function's own limits are Lambda's (local-function.ts,
 * `heapLimits`).
 */
import { setFlagsFromString } from 'node:v8';

const HEAP_FLAGS: readonly string[] = [
  '--initial-old-space-size=128',
  '--heap-growing-percent=200',
  '--no-memory-reducer',
];

let tuned = false;

/** Sets HEAP_FLAGS once, before the first worker starts. */
export function tuneHeapsForThroughput(): void {
  if (tuned) return;
  tuned = true;
  for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
}
