/**
 * `npm start` in a child process of its own group, as a person runs it (tsx local/main.ts,
 * without npm in between), on a state folder and ports the test chooses.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(PROJECT_DIR, 'node_modules', '.bin', 'tsx');
const READY_LINE = 'Ctrl-C stops everything.';

export interface NpmStart {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): { stdout: string; stderr: string };
  /** The banner's text once ready; rejects if the process exits first or takes longer than `timeoutMs`. */
  readonly ready: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGINT to the top process, then SIGKILL to the group if it has not exited within 20 s. */
  stop(): Promise<void>;
}

export function npmStart(args: readonly string[], timeoutMs = 110_000): NpmStart {
  const env = { ...process.env };
  for (const name of ['PORT', 'S3_PORT', 'SQS_PORT', 'SFN_PORT', 'LOCAL_STATE_DIR', 'LOCAL_STACK_TIMELINE']) delete env[name];
  const child = spawn(TSX, ['local/main.ts', ...args], { cwd: PROJECT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    const check = () => {
      if (!stdout.includes(READY_LINE)) return;
      clearTimeout(timer);
      resolve(stdout);
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before ready:\n${stdout}\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    pid: child.pid ?? -1,
    output: () => ({ stdout, stderr }),
    ready,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // gone already
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Every `http://host:port` the banner names, by its label (`GraphQL`, `S3`, `DynamoDB`, ...). */
export function bannerEndpoints(banner: string): Map<string, URL> {
  const endpoints = new Map<string, URL>();
  for (const match of banner.matchAll(/^\s+([A-Za-z0-9+ ]+?)\s{2,}(https?:\/\/\S+)/gm)) {
    const [, label, url] = match;
    if (label !== undefined && url !== undefined) endpoints.set(label.trim(), new URL(url));
  }
  return endpoints;
}
