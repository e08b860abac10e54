/**
 * `npm start` as a person runs it: the real entry point (package.json "start": `tsx local/main.ts`)
 * in a child process, on a temporary state folder (`--state-dir`), free ports (`0`) and its own
 * `--outputs` file, so the checkout's `.local/` and `amplify_outputs.json` are never touched.
 *
 * Each start runs in its own process group. Ctrl-C is sent to the top process alone, which is
 * stricter than a terminal (that signals the whole group): the stack must stop its children
 * itself, DynamoDB Local's JVM included.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, FileDocument, FilesDocument } from '../../client/generated/operations.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import type { AmplifyOutputs } from '../../local/outputs.js';
import { graphql } from '../support/graphql-client.js';
import { holdPort } from '../support/ports.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(PROJECT_DIR, 'node_modules', '.bin', 'tsx');
/** The issue promises readiness within 10 s on an installed checkout; a fresh folder synthesizes and bundles, on a shared machine. */
const START_TIMEOUT_MS = 90_000;
/** DynamoDB Local gets 5 s to stop before it is killed; the rest is slack for a loaded machine. */
const STOP_WITHIN_MS = 15_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly afterMs: number;
}

/** What `npm start` prints once ready. */
interface Banner {
  readonly graphqlUrl: string;
  readonly apiKey: string;
  readonly s3: string;
  readonly dynamodb: string;
  readonly messaging: string;
  readonly stepFunctions: string;
  readonly stateDir: string;
  readonly outputsPath: string;
}

interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the banner once the stack is ready; rejects if it exits first. */
  readonly ready: Promise<Banner>;
  readonly exited: Promise<Exit>;
  /** Sends `signal` to the top process alone (Ctrl-C is SIGINT) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const started: Started[] = [];

/** `npm start -- <args>`, without npm in between (npm would only add its own process). */
function startStack(args: readonly string[]): Started {
  const env = { ...process.env };
  for (const name of ['PORT', 'S3_PORT', 'SQS_PORT', 'SFN_PORT', 'LOCAL_STATE_DIR', 'LOCAL_STACK_TIMELINE']) delete env[name];
  const child = spawn(TSX, ['local/main.ts', ...args], { cwd: PROJECT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let signalledAt = Date.now();
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - signalledAt }));
  });
  const ready = new Promise<Banner>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${START_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`)), START_TIMEOUT_MS);
    const check = () => {
      if (!stdout.includes('Ctrl-C stops everything.')) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(parseBanner(stdout));
    };
    child.stdout?.on('data', check);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`exited (${exit.code ?? exit.signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new Error('the stack did not spawn');
  const run: Started = {
    child,
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    ready,
    exited,
    stop: (signal = 'SIGINT') => {
      // Timed from the signal, not from the start.
      signalledAt = Date.now();
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
      return exited;
    },
  };
  started.push(run);
  return run;
}

function parseBanner(text: string): Banner {
  const field = (label: string) => {
    const match = new RegExp(`^\\s*${label}\\s+(\\S+)`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`no "${label}" in the banner:\n${text}`);
    return match[1];
  };
  const outputs = /^\s*Client config written to (.+)$/m.exec(text)?.[1];
  if (!outputs) throw new Error(`no client config line in the banner:\n${text}`);
  return {
    graphqlUrl: field('GraphQL'),
    apiKey: field('API key'),
    s3: field('S3'),
    dynamodb: field('DynamoDB'),
    messaging: field('SQS \\+ SNS'),
    stepFunctions: field('Step Fns'),
    stateDir: field('State'),
    outputsPath: outputs.trim(),
  };
}

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgrp: number;
  readonly state: string;
  /** Clock ticks since boot: tells a process from a later one that reuses its pid. */
  readonly startTime: string;
  readonly comm: string;
}

/** Every process of the machine, from /proc (Linux). */
async function processes(): Promise<Proc[]> {
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

/** The processes descended from `pid`, by parent links. */
async function descendantsOf(pid: number): Promise<Proc[]> {
  const all = await processes();
  const result: Proc[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid));
    result.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return result;
}

/** Of `before`, the processes still running (same pid and start time, not a zombie). */
async function survivors(before: readonly Proc[]): Promise<Proc[]> {
  const now = new Map((await processes()).map((p) => [p.pid, p]));
  return before.filter((p) => {
    const current = now.get(p.pid);
    return current !== undefined && current.startTime === p.startTime && current.state !== 'Z';
  });
}

/** Processes left in the group of a start (its children and theirs, unless they left the group). */
async function leftInGroup(pgrp: number): Promise<Proc[]> {
  return (await processes()).filter((p) => p.pgrp === pgrp && p.state !== 'Z');
}

/** A port held by another program, on every interface. */

const FREE_PORTS = ['--port', '0', '--s3-port', '0', '--sqs-port', '0', '--sfn-port', '0'];

describe('npm start, the local stack as a process', () => {
  let work: string;
  let stateDir: string;
  let outputsPath: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'local-stack-lifecycle-'));
    stateDir = join(work, 'state');
    outputsPath = join(work, 'amplify_outputs.json');
  });

  afterAll(async () => {
    // A failed test must not leave a stack running: end every group this file started.
    for (const run of started) {
      try {
        process.kill(-run.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(work, { recursive: true, force: true });
  });

  describe('given the stack started on a fresh state folder', () => {
    let first: Started;
    let banner: Banner;

    beforeAll(async () => {
      first = startStack([...FREE_PORTS, '--state-dir', stateDir, '--outputs', outputsPath]);
      banner = await first.ready;
    }, START_TIMEOUT_MS + 10_000);

    it('when it is ready, then amplify_outputs.json is written where it says, with the running endpoint, API key and user pool, and a client using nothing else is served', async () => {
      expect(banner.outputsPath).toBe(outputsPath);
      expect(banner.stateDir).toBe(stateDir);
      const outputs = JSON.parse(await readFile(outputsPath, 'utf8')) as AmplifyOutputs;

      expect(outputs.version).toBe('1.4');
      expect(outputs.data).toEqual({
        aws_region: 'us-east-1',
        url: banner.graphqlUrl,
        api_key: banner.apiKey,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
        authorization_types: expect.arrayContaining(['API_KEY', 'AWS_IAM']) as unknown as string[],
      });
      expect(outputs.auth.aws_region).toBe('us-east-1');

      // The API key it names is the running stack's...
      const byKey = await graphql<{ uploadPolicy: { maxBytes: number } }>(outputs.data.url, { kind: 'apiKey', apiKey: outputs.data.api_key ?? '' }, '{ uploadPolicy { maxBytes } }');
      expect(byKey.errors).toBeUndefined();
      expect(byKey.data?.uploadPolicy.maxBytes).toBeGreaterThan(0);
      // ...and so are its user pool and client: a token for them is accepted.
      const issuer = await createLocalIssuer({ stateDir, region: outputs.auth.aws_region, userPoolId: outputs.auth.user_pool_id, clientId: outputs.auth.user_pool_client_id });
      const token = (await issuer.issueTokens({ username: 'carol' })).idToken;
      const byUser = await graphql(outputs.data.url, { kind: 'userPool', token }, FilesDocument, { limit: 1 });
      expect(byUser.errors).toBeUndefined();
      expect(byUser.data?.files.items).toEqual([]);
    });

    it('when alice creates an upload and Ctrl-C stops the stack, then it exits 0 within seconds leaving no process behind, and started again on the same folder it still has her file, her token and its API key', async () => {
      const outputs = JSON.parse(await readFile(outputsPath, 'utf8')) as AmplifyOutputs;
      const issuer = await createLocalIssuer({ stateDir, region: outputs.auth.aws_region, userPoolId: outputs.auth.user_pool_id, clientId: outputs.auth.user_pool_client_id });
      const alice = { kind: 'userPool', token: (await issuer.issueTokens({ username: 'alice' })).idToken } as const;
      const created = await graphql(banner.graphqlUrl, alice, CreateUploadDocument, {
        input: { fileName: 'kept.jpg', contentType: 'image/jpeg', size: 1234 },
      });
      expect(created.errors).toBeUndefined();
      const fileId = created.data!.createUpload.file.id;

      const before = await descendantsOf(first.pid);
      // The check below means something only if it saw the children: the JVM among them.
      expect(before.map((p) => p.comm)).toContain('java');
      const exit = await first.stop('SIGINT');

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.afterMs).toBeLessThan(STOP_WITHIN_MS);
      expect(first.stderr()).not.toMatch(/^\s+at /m);
      expect(await survivors(before)).toEqual([]);
      expect(await leftInGroup(first.pid)).toEqual([]);

      const second = startStack([...FREE_PORTS, '--state-dir', stateDir, '--outputs', outputsPath]);
      try {
        const again = await second.ready;

        expect(again.apiKey).toBe(banner.apiKey);
        const file = await graphql(again.graphqlUrl, alice, FileDocument, { id: fileId });
        expect(file.errors).toBeUndefined();
        expect(file.data?.file).toMatchObject({ id: fileId, fileName: 'kept.jpg', size: 1234, status: 'PENDING_UPLOAD' });
        const list = await graphql(again.graphqlUrl, alice, FilesDocument, { limit: 10 });
        expect(list.data?.files.items.map((f) => f.id)).toEqual([fileId]);
      } finally {
        await second.stop('SIGINT');
      }
    });
  });

  describe('given a port the stack needs is held by another program', () => {
    it.each([
      { flag: '--port', service: 'GraphQL', env: 'PORT' },
      { flag: '--sqs-port', service: 'SQS and SNS', env: 'SQS_PORT' },
    ])('when the stack is started with $flag set to it, then it exits 1 with one line naming the port and $flag, no stack trace, and no process left', async ({ flag, service, env }) => {
      const held = await holdPort();
      try {
        const ports = [...FREE_PORTS];
        ports[ports.indexOf(flag) + 1] = String(held.port);
        const run = startStack([...ports, '--state-dir', stateDir, '--outputs', join(work, 'unused-outputs.json')]);

        const exit = await run.exited;

        expect(exit).toMatchObject({ code: 1, signal: null });
        expect(run.stderr()).toBe(`Port ${held.port} (${service}) is already in use. Stop what holds it or choose another port with ${flag} <port> or ${env}=<port>.\n`);
        expect(run.stdout()).not.toMatch(/^\s+at /m);
        expect(await leftInGroup(run.pid)).toEqual([]);
      } finally {
        await held.release();
      }
    }, START_TIMEOUT_MS);
  });
});
