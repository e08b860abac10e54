/**
 * `npm start` as a person runs it: the real entry point (package.json "start": `tsx local/main.ts`)
 * in a child process, on a temporary state folder (`--state-dir`), free ports (`0`) and its own
 * `--outputs` file, so the checkout's `.local/` and `amplify_outputs.json` are never touched.
 *
 * Each start runs in its own process group. Ctrl-C is sent to the top process alone, which is
 * stricter than a terminal (that signals the whole group): the stack must stop its children
 * itself, DynamoDB Local's JVM included.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, FileDocument, FilesDocument } from '../../client/generated/operations.js';
import { createLocalIssuer } from '../../local/auth/local-issuer.js';
import type { AmplifyOutputs } from '../../local/outputs.js';
import { graphql } from '../support/graphql-client.js';
import { holdPort } from '../support/ports.js';
import { FREE_PORTS, type Proc, type StackProcess, bannerField, processes, processesInGroup, startStackProcess } from '../support/stack-process.js';

/** The issue promises readiness within 10 s on an installed checkout; a fresh folder synthesizes and bundles, on a shared machine. */
const START_TIMEOUT_MS = 90_000;
/** DynamoDB Local gets 5 s to stop before it is killed; the rest is slack for a loaded machine. */
const STOP_WITHIN_MS = 15_000;

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

function parseBanner(text: string): Banner {
  const outputs = /^\s*Client config written to (.+)$/m.exec(text)?.[1];
  if (!outputs) throw new Error(`no client config line in the banner:\n${text}`);
  return {
    graphqlUrl: bannerField(text, 'GraphQL'),
    apiKey: bannerField(text, 'API key'),
    s3: bannerField(text, 'S3'),
    dynamodb: bannerField(text, 'DynamoDB'),
    messaging: bannerField(text, 'SQS \\+ SNS'),
    stepFunctions: bannerField(text, 'Step Fns'),
    stateDir: bannerField(text, 'State'),
    outputsPath: outputs.trim(),
  };
}

type Started = Omit<StackProcess, 'ready'> & {
  /** Resolves with the banner once the stack is ready; rejects if it exits first. */
  readonly ready: Promise<Banner>;
};

const started: Started[] = [];

/** `npm start -- <args>`, remembered so that a failed test leaves no stack running. */
function startStack(args: readonly string[]): Started {
  const run = startStackProcess(args, { timeoutMs: START_TIMEOUT_MS });
  const ready = run.ready.then(parseBanner);
  ready.catch(() => undefined);
  const withBanner: Started = { ...run, ready };
  started.push(withBanner);
  return withBanner;
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

/** A port held by another program, on every interface. */


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
    for (const run of started) run.killGroup();
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
      const exit = await first.signal('SIGINT');

      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.afterMs).toBeLessThan(STOP_WITHIN_MS);
      expect(first.stderr()).not.toMatch(/^\s+at /m);
      expect(await survivors(before)).toEqual([]);
      expect(await processesInGroup(first.pid)).toEqual([]);

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
        await second.signal('SIGINT');
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
        expect(await processesInGroup(run.pid)).toEqual([]);
      } finally {
        await held.release();
      }
    }, START_TIMEOUT_MS);
  });
});
