import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH_DIR = join(PROJECT_DIR, 'bench');
/** Downloads, bundles and profiles; gitignored. */
export const CACHE_DIR = join(BENCH_DIR, '.cache');
export const SIMULATOR_DIR = join(BENCH_DIR, 'simulator');
