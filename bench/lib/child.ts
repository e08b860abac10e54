/**
 * Targets run in child processes, so the load generator and the server under test never share
 * an event loop. A target prints one line `BENCH_READY <json>` when it serves, and stops
 * cleanly on SIGTERM (so `--cpu-prof` gets written).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { PROJECT_DIR } from './paths.js';

export const READY_PREFIX = 'BENCH_READY ';

export interface Target<T> {
  readonly info: T;
  readonly pid: number;
  /** Peak resident set (VmHWM) and current (VmRSS) of the target process, in KiB. */
  memory(): Promise<{ hwmKiB: number; rssKiB: number }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly args?: readonly string[];
  /** Flags for node itself, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Starts `node --import tsx <script>` and resolves with what it printed after READY_PREFIX. */
export async function startTarget<T>(script: string, options: StartOptions = {}): Promise<Target<T>> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...(options.args ?? [])], {
    cwd: PROJECT_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr.push(text);
    if (stderr.length > 200) stderr.shift();
    if (process.env['BENCH_VERBOSE']) process.stderr.write(text);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const info = await new Promise<T>((resolve, reject) => {
    // A target that never gets ready is stopped, so it leaves nothing running behind it.
    const timer = setTimeout(() => {
      void stopChild(child, exited);
      reject(new Error(`${script} not ready after ${options.timeoutMs ?? 120_000} ms\n${stderr.join('')}`));
    }, options.timeoutMs ?? 120_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(READY_PREFIX.length)) as T);
      } else if (process.env['BENCH_VERBOSE']) {
        console.log(`[${script}] ${line}`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before it was ready\n${stderr.join('')}`));
    });
  });
  return {
    info,
    pid: child.pid ?? -1,
    memory: () => processMemory(child.pid ?? -1),
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // SIGTERM lets the target stop its own children (DynamoDB Local's JVM); SIGKILL is the last resort.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/** VmHWM and VmRSS of a process, from /proc (Linux). */
export async function processMemory(pid: number): Promise<{ hwmKiB: number; rssKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { hwmKiB: field('VmHWM'), rssKiB: field('VmRSS') };
}

/** For targets: announce readiness, and stop on SIGTERM/SIGINT with `stop` then exit. */
export function serveUntilStopped(info: unknown, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void stop()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`);
}

/**
 * For load targets that run in their own process between the harness's CPU samples: POST /run
 * with a JSON request answers `run`'s JSON result (500 with the error otherwise); announces
 * `{ runUrl }` and stops with `stop` then the server.
 */
export async function serveRuns<Request, Result>(run: (request: Request) => Promise<Result>, stop: () => Promise<void> = async () => undefined): Promise<void> {
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      void Promise.resolve()
        .then(() => run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Request))
        .then((result) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(result));
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(error instanceof Error ? (error.stack ?? error.message) : String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveUntilStopped({ runUrl: `http://127.0.0.1:${port}/run` }, async () => {
    await stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/** A TCP port free right now on 127.0.0.1 (for a server that cannot listen on port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
