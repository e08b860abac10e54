/**
 * Measures amplify-appsync-simulator against the rows of docs/conformance.md: it serves the
 * conformance fixture's schema (adapted as bench/simulator/conformance/config.ts says) on
 * loopback, runs one probe per row the simulator can be asked about, and records what it saw.
 *
 *   (cd bench/simulator && npm ci)   # once: the simulator needs graphql 15, installed apart
 *   npm run conformance:simulator    # writes bench/simulator/conformance-results.json, prints a table
 *
 * Exits 1 if the simulator does not start or a probe fails in a way that is not an observation,
 * 2 if the whole run exceeds its time limit. Not part of `npm test`: it needs that install.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIMULATOR_DIR } from '../lib/paths.js';
import { type ServedSimulator, serveSimulator } from './conformance/process.js';
import type { Probe, ProbeContext, ProbeResult } from './conformance/probe.js';
import { appsyncJsProbes } from './conformance/probes/appsync-js.js';
import { authProbes } from './conformance/probes/auth.js';
import { inProcessProbes } from './conformance/probes/in-process.js';
import { lambdaProbes } from './conformance/probes/lambda.js';
import { limitProbes } from './conformance/probes/limits.js';
import { realtimeProbes } from './conformance/probes/realtime.js';
import { scalarProbes } from './conformance/probes/scalars.js';
import { subscriptionProbes } from './conformance/probes/subscriptions.js';
import { simulatorVersion } from './conformance/simulator.js';

const { values } = parseArgs({
  options: {
    /** Where the results go; a run of `--only` some rows writes none unless told. */
    out: { type: 'string' },
    only: { type: 'string' },
    'probe-timeout-ms': { type: 'string', default: '20000' },
    'start-timeout-ms': { type: 'string', default: '90000' },
    'timeout-ms': { type: 'string', default: '300000' },
  },
});
const probeTimeoutMs = Number(values['probe-timeout-ms']);
const out = values.out ?? (values.only ? undefined : join(SIMULATOR_DIR, 'conformance-results.json'));

const PROBES: Probe[] = [
  ...realtimeProbes,
  ...authProbes,
  ...lambdaProbes,
  ...appsyncJsProbes,
  ...subscriptionProbes,
  ...scalarProbes,
  ...limitProbes,
  ...inProcessProbes,
].filter((probe) => !values.only || probe.id.startsWith(values.only));

const results: ProbeResult[] = [];
let served: ServedSimulator | undefined;

// The whole run is bounded: a probe that hangs past its own timeout must not keep it alive.
const overall = setTimeout(() => {
  console.error(`conformance:simulator: stopped after ${values['timeout-ms']} ms`);
  printTable();
  void (served?.stop() ?? Promise.resolve()).finally(() => process.exit(2));
}, Number(values['timeout-ms']));
overall.unref();

// The simulator's own code paths can reject outside any await of ours (it handles `start`
// messages with `void`); those belong to the child process, so here a stray rejection is a bug.
process.on('unhandledRejection', (error) => console.error('conformance:simulator: unhandled rejection', error));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function ensureServed(): Promise<ServedSimulator> {
  if (served && served.exit === undefined) return served;
  served = await serveSimulator(Number(values['start-timeout-ms']));
  return served;
}

function contextOf(simulator: ServedSimulator): ProbeContext {
  return {
    endpoint: simulator.endpoint,
    simulatorExited: () => simulator.exit !== undefined,
    simulatorError: () => simulator.stderr.find((line) => /^\w*Error\b/.test(line.trim())),
    invocations: async () => {
      const response = await fetch(`http://127.0.0.1:${simulator.controlPort}/`);
      return (await response.json()) as { dataSource: string; batchSize: number | null }[];
    },
  };
}

async function runProbe(probe: Probe): Promise<ProbeResult> {
  const base = { id: probe.id, behaviour: probe.behaviour };
  if (probe.cannotRun) return { ...base, status: 'cannot run', observation: probe.cannotRun };
  const started = performance.now();
  let simulator: ServedSimulator | undefined;
  try {
    let observation: string;
    if (probe.runInProcess) {
      observation = await withTimeout(probe.runInProcess(), probeTimeoutMs, probe.id);
    } else if (probe.run) {
      simulator = await ensureServed();
      observation = await withTimeout(probe.run(contextOf(simulator)), probeTimeoutMs, probe.id);
    } else {
      throw new Error('a probe needs run, runInProcess or cannotRun');
    }
    return { ...base, status: 'measured', observation, ms: Math.round(performance.now() - started) };
  } catch (error) {
    // A probe that brought the simulator down has observed exactly that.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (simulator?.exit !== undefined) {
      const cause = simulator.stderr.find((line) => /^\w*Error\b/.test(line.trim())) ?? simulator.stderr.at(-1) ?? '';
      return {
        ...base,
        status: 'measured',
        observation: `the simulator process exits (${simulator.exit}): ${cause.trim().slice(0, 120)}`,
        ms: Math.round(performance.now() - started),
      };
    }
    return { ...base, status: 'error', observation: (error as Error).message.split('\n')[0] ?? String(error), ms: Math.round(performance.now() - started) };
  }
}

function printTable(): void {
  const width = Math.max(...results.map((r) => r.id.length), 2);
  console.log(`\n${'row'.padEnd(width)}  status      observation`);
  for (const result of results) console.log(`${result.id.padEnd(width)}  ${result.status.padEnd(10)}  ${result.observation}`);
}

try {
  await ensureServed();
} catch (error) {
  console.error(`conformance:simulator: the simulator failed to start: ${(error as Error).message}`);
  process.exit(1);
}

for (const probe of PROBES) {
  const result = await runProbe(probe);
  results.push(result);
  console.log(`${result.status === 'error' ? '✗' : result.status === 'measured' ? '✓' : '-'} ${result.id} (${result.ms ?? 0} ms)`);
}
await served?.stop();
clearTimeout(overall);

const requireFromSimulator = createRequire(join(SIMULATOR_DIR, 'package.json'));
const graphqlVersion = (requireFromSimulator('graphql/package.json') as { version: string }).version;
if (out)
  await writeFile(
    out,
    `${JSON.stringify(
      {
        simulator: `@aws-amplify/amplify-appsync-simulator ${simulatorVersion()}`,
        graphql: graphqlVersion,
        node: process.version,
        date: new Date().toISOString().slice(0, 10),
        // Durations stay out of the committed file: they change on every run.
        results: results.map(({ ms: _ms, ...result }) => result),
      },
      null,
      2,
    )}\n`,
  );
printTable();
const errors = results.filter((r) => r.status === 'error');
console.log(
  `\n${results.filter((r) => r.status === 'measured').length} measured, ${results.filter((r) => r.status === 'cannot run').length} cannot run, ${
    errors.length
  } errors${out ? ` → ${out}` : ''}`,
);
process.exit(errors.length ? 1 : 0);
