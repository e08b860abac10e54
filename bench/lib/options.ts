/**
 * What one `npm run bench` does. The full run is the default and is what docs/benchmarks.md
 * should hold; `--quick` shrinks every load so the harness can be built and checked on a busy
 * machine (its figures are not comparable with the anchors).
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONCURRENCY } from '../../local/lambda/local-function.js';

export const SECTIONS = ['http', 'data', 'isolation', 'fanout', 'scale', 'pipeline', 'hostile', 'console', 'coldstart', 'startup', 'profile', 'usage'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: ReadonlySet<SectionName>;
  /** Where the Markdown report goes. */
  readonly out: string;
  readonly http: { readonly durationS: number; readonly warmupS: number; readonly runs: number; readonly connections: number };
  /** The data paths: the HTTP section's load settings, and how many files the user owns. */
  readonly data: { readonly durationS: number; readonly warmupS: number; readonly runs: number; readonly connections: number; readonly files: number };
  /** The files handler in-process and in execution environments, at each of `inFlight` calls in flight. */
  readonly isolation: { readonly durationS: number; readonly warmupS: number; readonly runs: number; readonly inFlight: readonly number[] };
  readonly fanout: { readonly subscribers: number; readonly publishes: number; readonly drainMs: number; readonly rounds: number };
  /** AppSync's scale: `subscribers` sockets, one publish every `intervalMs` for `publishes`. */
  readonly scale: { readonly subscribers: number; readonly publishes: number; readonly intervalMs: number; readonly drainMs: number; readonly openConcurrency: number };
  /** Where the run's figures go as JSON (what `npm run cost` reads). */
  readonly json: string;
  /** Where the charts go (SVG), relative to the project. */
  readonly chartsDir: string;
  readonly pipeline: { readonly uploads: number; readonly putsInFlight: number; readonly sharpInFlight: number; readonly warmUploads: number };
  readonly coldstart: { readonly runs: number; readonly mapRuns: number };
  readonly hostile: { readonly reps: number; readonly httpReps: number; readonly budgetMs: number; readonly timeoutMs: number };
  readonly startup: { readonly editTimeoutMs: number };
  readonly profile: { readonly durationS: number };
  /** Quantities per operation for the cost report: how many of each kind are measured. */
  readonly usage: { readonly uploads: number; readonly queries: number; readonly orders: number };
}

type Loads = Omit<BenchOptions, 'quick' | 'sections' | 'out' | 'json' | 'chartsDir'>;

/** The run docs/benchmarks.md holds. */
const FULL: Loads = {
  http: { durationS: 10, warmupS: 1, runs: 3, connections: 50 },
  data: { durationS: 10, warmupS: 1, runs: 3, connections: 50, files: 25 },
  // One call at a time, and as many as the stack runs environments of one function.
  isolation: { durationS: 10, warmupS: 3, runs: 3, inFlight: [1, DEFAULT_MAX_CONCURRENCY] },
  fanout: { subscribers: 1_000, publishes: 100, drainMs: 10_000, rounds: 3 },
  scale: { subscribers: 10_000, publishes: 60, intervalMs: 1_000, drainMs: 15_000, openConcurrency: 100 },
  pipeline: { uploads: 200, putsInFlight: 4, sharpInFlight: 2, warmUploads: 32 },
  coldstart: { runs: 7, mapRuns: 3 },
  hostile: { reps: 5, httpReps: 9, budgetMs: 3_000, timeoutMs: 30_000 },
  startup: { editTimeoutMs: 10_000 },
  profile: { durationS: 5 },
  usage: { uploads: 20, queries: 50, orders: 10 },
};

/** `--quick`: the same loads, shorter and smaller, with the same concurrency where it matters little. */
const QUICK: Loads = {
  ...FULL,
  http: { ...FULL.http, durationS: 2, runs: 1 },
  data: { ...FULL.data, durationS: 2, runs: 1, connections: 20 },
  isolation: { ...FULL.isolation, durationS: 2, warmupS: 1, runs: 1 },
  fanout: { ...FULL.fanout, subscribers: 100, drainMs: 5_000, rounds: 1 },
  scale: { ...FULL.scale, subscribers: 200, publishes: 5, drainMs: 5_000, openConcurrency: 50 },
  pipeline: { ...FULL.pipeline, uploads: 10, warmUploads: 4 },
  coldstart: { runs: 3, mapRuns: 1 },
  hostile: { ...FULL.hostile, reps: 2, httpReps: 2, timeoutMs: 15_000 },
  profile: { durationS: 3 },
  usage: { uploads: 2, queries: 5, orders: 2 },
};

const USAGE = `npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--out FILE] [--json FILE]
  --quick  short runs for building the harness (2 s HTTP runs, 100 subscribers, 10 uploads); figures are not comparable
           (BENCH_QUICK=1 in the environment does the same)
  --only   run some sections (default: all)
  --out    the Markdown report (default: docs/benchmarks.md; the charts go to docs/charts/ beside it)
  --json   the run's figures as JSON, read by \`npm run cost\` (default: the report's path with .json)`;

export function readOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = (values.quick ?? false) || process.env['BENCH_QUICK'] === '1';
  const requested = values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...SECTIONS];
  for (const name of requested) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`Unknown section "${name}".\n${USAGE}`);
  }
  const out = values.out ?? 'docs/benchmarks.md';
  return {
    quick,
    sections: new Set(requested as SectionName[]),
    out,
    json: values.json ?? out.replace(/\.md$/, '') + '.json',
    chartsDir: join(dirname(out), 'charts'),
    ...(quick ? QUICK : FULL),
  };
}
