/**
 * The HTTP load generators: wrk (Debian's `wrk`) and autocannon. The sections load every target
 * with each generator that is installed (autocannon always is), the same one for a target and
 * its references, and report the ratios under each: a figure must survive another harness.
 *
 * The load runs on the same two cores as the target. autocannon is JavaScript and spends about a
 * third of a core per 5,000 req/s of its own, so it takes more from a fast target than from a
 * slow one and compresses every ratio; wrk (C, one thread) costs a fraction of that. Measured
 * here back to back on the local stack, API key: autocannon 6,927 and 8,187 req/s, wrk 8,685 and
 * 8,850. Both check every response: a non-2xx status or a body other than the expected one counts
 * as an error.
 *
 * The tools agree on throughput and medians, not on the simulator's p99. Its latency has a long
 * tail (stalls of up to ~0.9 s); measured back to back on the simulator, API key: wrk p99 469 and
 * 496 ms, autocannon p99 85 and 70 ms but p99.9 632 and 530 ms. wrk's p99 lands inside that tail,
 * autocannon's just before it. The local stack's p99 is 11-15 ms under wrk, 14-24 under autocannon.
 */
import { execFileSync, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { LATENCY_PERCENTILES } from './stats.js';

export interface LoadRun {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The latency distribution: ms at each of LATENCY_PERCENTILES, in order. */
  readonly distributionMs: readonly number[];
  /** Socket errors and timeouts, non-2xx statuses and bodies other than the expected one. */
  readonly errors: number;
  readonly requests: number;
}

export interface LoadRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly durationS: number;
  readonly connections: number;
  /** When given, every response body must be exactly this. */
  readonly expectBody?: string;
  /** When given, a response body holding this text counts as an error (e.g. `"errors"`). */
  readonly rejectText?: string;
}

export { LATENCY_PERCENTILES };

/** The two generators; a section loads a target and its reference with the same one. */
export type Generator = 'wrk' | 'autocannon';

const wrkVersion: string | null = (() => {
  try {
    // `wrk -v` prints its version and exits 1.
    execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: 'pipe' });
    return null;
  } catch (error) {
    const out = String((error as { stdout?: unknown }).stdout ?? '');
    return /^wrk (\S+)/m.exec(out)?.[1] ?? null;
  }
})();


/** Every generator this machine has: both when wrk is installed, else autocannon alone. */
export const generators = (): readonly Generator[] => (wrkVersion === null ? ['autocannon'] : ['wrk', 'autocannon']);

/** The generator's name with its version, for the report. */
export const generatorLabel = (generator: Generator): string => (generator === 'wrk' ? `wrk ${wrkVersion ?? '(not installed)'}` : 'autocannon');

/** One run with `generator` (by default wrk when installed, autocannon otherwise). */
export function runLoad(request: LoadRequest, generator: Generator = wrkVersion === null ? 'autocannon' : 'wrk'): Promise<LoadRun> {
  if (generator === 'wrk' && wrkVersion === null) throw new Error('wrk is not installed (apt-get install wrk)');
  return generator === 'autocannon' ? withAutocannon(request) : withWrk(request);
}

async function withAutocannon(request: LoadRequest): Promise<LoadRun> {
  const result = await autocannon({
    url: request.url,
    method: 'POST',
    connections: request.connections,
    duration: request.durationS,
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
    ...(request.expectBody === undefined ? {} : { expectBody: request.expectBody }),
    ...(request.rejectText === undefined
      ? {}
      : {
          // Checked per response; autocannon counts a response as a mismatch when `verifyBody` is false.
          verifyBody: (body: unknown) => !String(body).includes(request.rejectText as string),
        }),
  });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    distributionMs: [result.latency.p50, result.latency.p75, result.latency.p90, result.latency.p99, result.latency.p99_9],
    errors: result.errors + result.non2xx + result.mismatches,
    requests: result.requests.total,
  };
}

const lua = (value: string): string => JSON.stringify(value);

/** A wrk script: the request, a check of every response, and one RESULT line at the end. */
function wrkScript(request: LoadRequest): string {
  const headers = { 'content-type': 'application/json', ...request.headers };
  return [
    'wrk.method = "POST"',
    `wrk.body = ${lua(request.body)}`,
    ...Object.entries(headers).map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`),
    `local expected = ${request.expectBody === undefined ? 'nil' : lua(request.expectBody)}`,
    `local rejected = ${request.rejectText === undefined ? 'nil' : lua(request.rejectText)}`,
    'local threads = {}',
    'function setup(thread) table.insert(threads, thread) end',
    'function init(args) bad = 0 end',
    'function response(status, headers, body)',
    '  if status < 200 or status > 299 or (expected ~= nil and body ~= expected)',
    '    or (rejected ~= nil and string.find(body, rejected, 1, true)) then bad = bad + 1 end',
    'end',
    'function done(summary, latency, requests)',
    '  local bad = 0',
    '  for _, thread in ipairs(threads) do bad = bad + thread:get("bad") end',
    '  local e = summary.errors',
    '  io.write(string.format("RESULT %d %d %d %d %f %f\\n", summary.requests, summary.duration,',
    '    e.connect + e.read + e.write + e.timeout, bad, latency:percentile(50), latency:percentile(99)))',
    '  local d = {}',
    `  for _, p in ipairs({${LATENCY_PERCENTILES.join(', ')}}) do table.insert(d, string.format("%f", latency:percentile(p))) end`,
    '  io.write("DISTRIBUTION " .. table.concat(d, " ") .. "\\n")',
    'end',
    '',
  ].join('\n');
}

async function withWrk(request: LoadRequest): Promise<LoadRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    await writeFile(script, wrkScript(request));
    const { stdout } = await promisify(execFile)(
      'wrk',
      ['-t1', `-c${request.connections}`, `-d${request.durationS}s`, '--timeout', '10s', '-s', script, request.url],
      { encoding: 'utf8' },
    );
    const match = /^RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)$/m.exec(stdout);
    if (!match) throw new Error(`wrk printed no RESULT line:\n${stdout}`);
    const [requests, durationUs, socketErrors, bad, p50Us, p99Us] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const distribution = /^DISTRIBUTION (.+)$/m.exec(stdout)?.[1]?.split(' ').map((us) => Number(us) / 1000) ?? [];
    return {
      reqPerSec: requests / (durationUs / 1e6),
      p50Ms: p50Us / 1000,
      p99Ms: p99Us / 1000,
      distributionMs: distribution,
      errors: socketErrors + bad,
      requests,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
