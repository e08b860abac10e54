/**
 * `npm start` as a child process (its entry, `tsx local/main.ts`, without npm in between) in a
 * process group of its own, so a test can end the whole stack at once, as a crash or `kill -9`
 * of a terminal's job would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(PROJECT_DIR, 'node_modules', '.bin', 'tsx');

/** Every port free, chosen by the system. */
export const FREE_PORTS = ['--port', '0', '--s3-port', '0', '--sqs-port', '0', '--sfn-port', '0'];

/** What `npm start` prints once ready. */
export interface Banner {
  readonly graphqlUrl: string;
  readonly s3: string;
  readonly stepFunctions: string;
  readonly stateDir: string;
  readonly developer: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface StackProcess {
  readonly child: ChildProcess;
  /** The process id, which is also its process group's id. */
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the banner once the stack is ready; rejects if it exits first or takes longer than `timeoutMs`. */
  readonly ready: Promise<Banner>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to every process of its group (the stack, DynamoDB Local's JVM, esbuild, ...). */
  killGroup(): void;
}

export function startStackProcess(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): StackProcess {
  const env = { ...process.env, ...options.env };
  for (const name of ['PORT', 'S3_PORT', 'SQS_PORT', 'SFN_PORT', 'LOCAL_STATE_DIR', 'LOCAL_STACK_TIMELINE']) delete env[name];
  const child = spawn(process.execPath, [TSX, 'local/main.ts', ...args], { cwd: PROJECT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const ready = new Promise<Banner>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    const check = () => {
      if (!stdout.includes('Ctrl-C stops everything.')) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(parseBanner(stdout));
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    pid: child.pid ?? 0,
    stdout: () => stdout,
    stderr: () => stderr,
    ready,
    exited,
    killGroup: () => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

function parseBanner(text: string): Banner {
  const field = (label: string) => {
    const match = new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`no "${label}" in the banner:\n${text}`);
    return match[1];
  };
  const iam = /AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text);
  if (!iam?.[1] || !iam[2]) throw new Error(`no developer credentials in the banner:\n${text}`);
  return {
    graphqlUrl: field('GraphQL'),
    s3: field('S3'),
    stepFunctions: field('Step Fns'),
    stateDir: field('State'),
    developer: { accessKeyId: iam[1], secretAccessKey: iam[2] },
  };
}

/** The processes whose process group is `pgrp` (zombies aside). */
export async function processesInGroup(pgrp: number): Promise<{ pid: number; comm: string }[]> {
  const found: { pid: number; comm: string }[] = [];
  for (const name of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    if (Number(rest[2]) === pgrp && rest[0] !== 'Z') found.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return found;
}
