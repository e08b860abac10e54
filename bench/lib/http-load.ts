/**
 * The HTTP load generator: wrk (Debian's `wrk`) when it is on PATH, autocannon otherwise.
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

export interface LoadRun {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
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
}

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

/** The generator the runs use, e.g. `wrk 4.1.0` or `autocannon`. */
export const loadTool = (): string => (wrkVersion === null ? 'autocannon' : `wrk ${wrkVersion}`);

export function runLoad(request: LoadRequest): Promise<LoadRun> {
  return wrkVersion === null ? withAutocannon(request) : withWrk(request);
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
  });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
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
    'local threads = {}',
    'function setup(thread) table.insert(threads, thread) end',
    'function init(args) bad = 0 end',
    'function response(status, headers, body)',
    '  if status < 200 or status > 299 or (expected ~= nil and body ~= expected) then bad = bad + 1 end',
    'end',
    'function done(summary, latency, requests)',
    '  local bad = 0',
    '  for _, thread in ipairs(threads) do bad = bad + thread:get("bad") end',
    '  local e = summary.errors',
    '  io.write(string.format("RESULT %d %d %d %d %f %f\\n", summary.requests, summary.duration,',
    '    e.connect + e.read + e.write + e.timeout, bad, latency:percentile(50), latency:percentile(99)))',
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
    return {
      reqPerSec: requests / (durationUs / 1e6),
      p50Ms: p50Us / 1000,
      p99Ms: p99Us / 1000,
      errors: socketErrors + bad,
      requests,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
