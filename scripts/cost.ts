/**
 * `npm run cost`: docs/cost.md, the monthly AWS bill of a workload, line by line, from the
 * quantities a bench run measured (its JSON, written beside docs/benchmarks.md) and the dated
 * prices in bench/cost/prices.ts; and docs/charts/cost-vs-uploads.svg. The arithmetic is
 * bench/cost/model.ts. Refuses quantities measured on another commit than this one (a later
 * commit that changed only docs/ counts as the same) unless --allow-other-commit.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_WORKLOAD, type Workload } from '../bench/cost/model.js';
import { costChart, costDocument, usd } from '../bench/cost/report.js';
import { bill } from '../bench/cost/model.js';
import type { RunRecord } from '../bench/lib/output.js';
import type { UsageFigures } from '../bench/sections/usage.js';

const PROJECT_DIR = resolve(import.meta.dirname, '..');

const USAGE = `npm run cost -- [--bench docs/benchmarks.json] [--out docs/cost.md] [--users N] [--uploads N] [--api-calls N]
    [--orders N] [--subscribers N] [--hours H] [--file-share 0..1] [--allow-other-commit]
  Defaults: the workload of issue 20 (${DEFAULT_WORKLOAD.users} users, ${DEFAULT_WORKLOAD.uploads} uploads, ${DEFAULT_WORKLOAD.apiCalls} API calls, ${DEFAULT_WORKLOAD.orders} orders, ${DEFAULT_WORKLOAD.subscribers} subscribers ${DEFAULT_WORKLOAD.subscriberHoursPerDay} h a day).`;

const { values } = parseArgs({
  options: {
    bench: { type: 'string', default: 'docs/benchmarks.json' },
    out: { type: 'string', default: 'docs/cost.md' },
    users: { type: 'string' },
    uploads: { type: 'string' },
    'api-calls': { type: 'string' },
    orders: { type: 'string' },
    subscribers: { type: 'string' },
    hours: { type: 'string' },
    'file-share': { type: 'string' },
    'allow-other-commit': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function count(name: string, text: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`--${name} must be a number from 0 to ${max}, not "${text}"\n${USAGE}`);
  return n;
}

const fileShare = count('file-share', values['file-share'], DEFAULT_WORKLOAD.queryMix.file, 1);
const workload: Workload = {
  ...DEFAULT_WORKLOAD,
  users: count('users', values.users, DEFAULT_WORKLOAD.users),
  uploads: count('uploads', values.uploads, DEFAULT_WORKLOAD.uploads),
  apiCalls: count('api-calls', values['api-calls'], DEFAULT_WORKLOAD.apiCalls),
  orders: count('orders', values.orders, DEFAULT_WORKLOAD.orders),
  subscribers: count('subscribers', values.subscribers, DEFAULT_WORKLOAD.subscribers),
  subscriberHoursPerDay: count('hours', values.hours, DEFAULT_WORKLOAD.subscriberHoursPerDay, 24),
  queryMix: { file: fileShare, files: 1 - fileShare },
};

const benchFile = resolve(PROJECT_DIR, values.bench ?? 'docs/benchmarks.json');
let record: RunRecord;
try {
  record = JSON.parse(await readFile(benchFile, 'utf8')) as RunRecord;
} catch (error) {
  console.error(`No bench figures at ${benchFile} (${(error as Error).message}).\nRun \`npm run bench -- --only usage\` first: it writes them beside the report.`);
  process.exit(1);
}
const usage = record.sections['usage']?.figures as UsageFigures | null | undefined;
if (!usage) {
  console.error(`${benchFile} has no usage section: run \`npm run bench -- --only usage\` (or the full bench).`);
  process.exit(1);
}

/** Whether HEAD is the measured commit, or differs from it only under docs/ (the bench's own outputs). */
function sameCode(commit: string): { same: boolean; why: string } {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_DIR, encoding: 'utf8' }).trim();
    if (head === commit) return { same: true, why: 'HEAD' };
    const changed = execFileSync('git', ['diff', '--name-only', commit, head], { cwd: PROJECT_DIR, encoding: 'utf8' }).split('\n').filter(Boolean);
    const code = changed.filter((path) => !path.startsWith('docs/'));
    return code.length === 0 ? { same: true, why: `HEAD changes only docs/ since ${commit.slice(0, 12)}` } : { same: false, why: `${code.length} file(s) outside docs/ changed since ${commit.slice(0, 12)}, e.g. ${code.slice(0, 3).join(', ')}` };
  } catch {
    return { same: false, why: `commit ${commit} is not in this repository` };
  }
}
const check = sameCode(record.commit);
if (!check.same || record.dirty) {
  const why = record.dirty ? `the bench ran on a working tree with uncommitted changes to ${record.commit.slice(0, 12)}` : check.why;
  if (!values['allow-other-commit']) {
    console.error(`The quantities were not measured on this commit: ${why}.\nRe-run \`npm run bench -- --only usage\` on this commit, or pass --allow-other-commit.`);
    process.exit(1);
  }
  console.warn(`Warning: ${why} (--allow-other-commit).`);
}

const out = resolve(PROJECT_DIR, values.out ?? 'docs/cost.md');
const chart = costChart(usage, workload);
const chartFile = resolve(dirname(out), 'charts', chart.file);
await mkdir(dirname(chartFile), { recursive: true });
await writeFile(chartFile, chart.svg);
await writeFile(
  out,
  `${costDocument({ usage, workload, commit: record.commit, benchDate: record.date, quick: record.quick, chartPath: relative(dirname(out), chartFile), benchFile: relative(PROJECT_DIR, benchFile) })}\n`,
);
const { total, totalAfterFree } = bill(usage, usage.facts, workload);
console.log(`${usd(total)} a month (${usd(totalAfterFree)} after always-free tiers). Written to ${relative(PROJECT_DIR, out)} and ${relative(PROJECT_DIR, chartFile)}.`);
