/**
 * `npm start` as a person runs it: its entry (`tsx local/main.ts`, without npm in between, which
 * would only add a process of its own) in a child process, in a process group of its own, so a
 * test can signal the top process alone (Ctrl-C), or end the whole stack at once, as a crash or
 * `kill -9` of a terminal's job would. Also what /proc says about the processes it leaves.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_DIR } from './test-stack.js';

const TSX = join(PROJECT_DIR, 'node_modules', '.bin', 'tsx');
/** The banner's last line: the stack is ready. */
const READY_LINE = 'Ctrl-C stops everything.';

/** Every port free, chosen by the system. */
export const FREE_PORTS = ['--port', '0', '--s3-port', '0', '--sqs-port', '0', '--sfn-port', '0'];

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Since the last signal `stop` or `signal` sent (since the start if none was sent). */
  readonly afterMs: number;
}

export interface StackProcess {
  readonly child: ChildProcess;
  /** The process id, which is also its process group's id. */
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The banner's text once the stack is ready; rejects if it exits first or takes longer than `timeoutMs`. */
  readonly ready: Promise<string>;
  readonly exited: Promise<Exit>;
  /** Sends `signal` to the top process alone (Ctrl-C is SIGINT) and waits for it to exit. */
  signal(signal: NodeJS.Signals): Promise<Exit>;
  /** SIGINT to the top process, then SIGKILL to the group if it has not exited within 20 s. */
  stop(): Promise<void>;
  /** SIGKILL to every process of its group (the stack, DynamoDB Local's JVM, esbuild, ...). */
  killGroup(): void;
}

export function startStackProcess(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): StackProcess {
  const env = { ...process.env, ...options.env };
  // The test's arguments choose the ports and the folder, not the environment it runs in.
  for (const name of ['PORT', 'S3_PORT', 'SQS_PORT', 'SFN_PORT', 'LOCAL_STATE_DIR', 'LOCAL_STACK_TIMELINE']) delete env[name];
  const child = spawn(process.execPath, [TSX, 'local/main.ts', ...args], { cwd: PROJECT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the stack did not spawn');
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let signalledAt = Date.now();
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - signalledAt }));
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    const check = () => {
      if (!stdout.includes(READY_LINE)) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(stdout);
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  const running = () => child.exitCode === null && child.signalCode === null;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const signal = (name: NodeJS.Signals) => {
    signalledAt = Date.now();
    if (running()) process.kill(pid, name);
    return exited;
  };
  return {
    child,
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    ready,
    exited,
    signal,
    stop: async () => {
      if (!running()) return;
      const timer = setTimeout(killGroup, 20_000);
      await signal('SIGINT');
      clearTimeout(timer);
    },
    killGroup,
  };
}

/** The value on the banner line labelled `label` (a regular expression source). */
export function bannerField(banner: string, label: string): string {
  const match = new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(banner);
  if (!match?.[1]) throw new Error(`no "${label}" in the banner:\n${banner}`);
  return match[1];
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

/** A process as /proc/<pid>/stat shows it. */
export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly state: string;
  /** Clock ticks since boot: tells a process from a later one that reuses its pid. */
  readonly startTime: string;
  readonly comm: string;
}

/** Every process of the machine, from /proc (Linux). */
export async function processes(): Promise<Proc[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) return undefined;
      // pid (comm) state ppid pgrp ... field 22 is starttime; comm may hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      return {
        pid: Number(pid),
        comm: stat.slice(stat.indexOf('(') + 1, close),
        state: rest[0] ?? '',
        ppid: Number(rest[1]),
        pgrp: Number(rest[2]),
        startTime: rest[19] ?? '',
      };
    }),
  );
  return found.filter((p): p is Proc => p !== undefined);
}

/** The processes whose process group is `pgrp` (its children and theirs, unless they left the group), zombies aside. */
export async function processesInGroup(pgrp: number): Promise<Proc[]> {
  return (await processes()).filter((p) => p.pgrp === pgrp && p.state !== 'Z');
}
