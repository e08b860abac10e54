/**
 * What a run leaves beside its Markdown report: the charts (SVG files in charts/) and the figures
 * as JSON, stamped with the commit they were measured on, which `npm run cost` reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';
import { PROJECT_DIR } from './paths.js';
import type { SectionReport } from './report.js';

export interface RunRecord {
  /** The commit measured; `dirty` when the working tree differed from it outside docs/. */
  readonly commit: string;
  readonly dirty: boolean;
  readonly date: string;
  readonly quick: boolean;
  readonly seconds: number;
  readonly machine: Machine;
  /** The first line of each failed section's error. */
  readonly failures: readonly string[];
  /** Each section's figures and summary rows, by section name. */
  readonly sections: Readonly<Record<string, { readonly comparisons: unknown; readonly figures: unknown }>>;
}

/**
 * The tracked files `git status --porcelain` lists as changed, but those under docs/: the bench's
 * own outputs and prose change nothing it measures (the rule `npm run cost` applies to commits),
 * and a second run before the first's outputs are committed measures the same code.
 */
export function changedCode(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3).split(' -> ').pop() ?? '')
    .filter((path) => !path.replace(/^"/, '').startsWith('docs/'));
}

/** The commit of the working tree, and whether tracked files outside docs/ differ from it. */
export function currentCommit(dir = PROJECT_DIR): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, encoding: 'utf8' });
    return { commit, dirty: changedCode(status).length > 0 };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

export function runRecord(options: BenchOptions, machine: Machine, reports: readonly SectionReport[], failures: readonly string[], seconds: number): RunRecord {
  return {
    ...currentCommit(),
    date: new Date().toISOString(),
    quick: options.quick,
    seconds: Math.round(seconds),
    machine,
    failures: failures.map((f) => f.split('\n')[0] ?? f),
    sections: Object.fromEntries(reports.map((r) => [r.name, { comparisons: r.comparisons, figures: r.figures ?? null }])),
  };
}

/** Writes every section's charts into `dir`; returns how many. */
export async function writeCharts(dir: string, reports: readonly SectionReport[]): Promise<number> {
  const charts = reports.flatMap((r) => r.charts ?? []);
  if (charts.length === 0) return 0;
  await mkdir(dir, { recursive: true });
  await Promise.all(charts.map((c) => writeFile(join(dir, c.file), c.svg)));
  return charts.length;
}
