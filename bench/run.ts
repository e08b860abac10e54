/**
 * `npm run bench`: starts each target on loopback, loads it, and prints one table of ratios
 * against the targets of issue 6, writing the same table and the details to docs/benchmarks.md.
 * Never part of `npm test`. `--quick` for short runs while working on the harness.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createContext } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { type SectionName, readOptions } from './lib/options.js';
import { PROJECT_DIR } from './lib/paths.js';
import { type SectionReport, consoleTable } from './lib/report.js';
import { renderDocument } from './lib/document.js';
import { runRecord, writeCharts } from './lib/output.js';
import { runHttp } from './sections/http.js';
import { runData } from './sections/data.js';
import { runIsolation } from './sections/isolation.js';
import { runFanout } from './sections/fanout.js';
import { runScale } from './sections/scale.js';
import { runPipeline } from './sections/pipeline.js';
import { runColdStart } from './sections/coldstart.js';
import { runHostile } from './sections/hostile.js';
import { runConsole } from './sections/console.js';
import { runStartup } from './sections/startup.js';
import { runProfile } from './sections/profile.js';
import { runUsage } from './sections/usage.js';


const options = readOptions(process.argv.slice(2));
const ctx = createContext(options);
const machineBefore = describeMachine();
const started = Date.now();

// In this order: the first eight share one local stack (and the simulator); the last four need
// the machine without them (usage runs a stack of its own, its calls counted through proxies).
const runners: Record<SectionName, (c: typeof ctx) => Promise<SectionReport>> = {
  http: runHttp,
  data: runData,
  isolation: runIsolation,
  fanout: runFanout,
  scale: runScale,
  pipeline: runPipeline,
  hostile: runHostile,
  console: runConsole,
  coldstart: runColdStart,
  startup: runStartup,
  profile: runProfile,
  usage: runUsage,
};
const ALONE: readonly SectionName[] = ['coldstart', 'startup', 'profile', 'usage'];

const reports: SectionReport[] = [];
const failures: string[] = [];
ctx.log(`${options.quick ? 'Quick' : 'Full'} run: ${[...options.sections].join(', ')}`);
try {
  for (const name of Object.keys(runners) as SectionName[]) {
    if (!options.sections.has(name)) continue;
    if (ALONE.includes(name)) await ctx.close();
    try {
      reports.push(await runners[name](ctx));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${name}: ${message}`);
      ctx.log(`${name} FAILED: ${message}`);
    }
  }
} finally {
  await ctx.close();
}

const seconds = (Date.now() - started) / 1000;
console.log(`\n${consoleTable(reports)}\n`);
const out = resolve(PROJECT_DIR, options.out);
await mkdir(dirname(out), { recursive: true });
const record = runRecord(options, machineBefore, reports, failures, seconds);
await writeFile(out, renderDocument(record, reports));
const charts = await writeCharts(resolve(PROJECT_DIR, options.chartsDir), reports);
const json = resolve(PROJECT_DIR, options.json);
await writeFile(json, `${JSON.stringify(record, null, 2)}\n`);
console.log(`Written to ${options.out}, ${options.json} and ${charts} chart(s) in ${options.chartsDir} (${seconds.toFixed(0)} s).`);
if (failures.length > 0) {
  console.error(`${failures.length} section(s) failed:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
