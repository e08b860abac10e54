/**
 * DynamoDB Local's JVM dies (SIGKILL) in the middle of a run of uploads, on a local stack of its
 * own with its data on disk (as `npm start` keeps it). The stack starts the JVM again on the same
 * data and says so in one line; calls made meanwhile wait or are retried; every upload still
 * ends READY. And the JVM, first and restarted, listens on 127.0.0.1 only.
 */
import { readFile, readdir, readlink, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, FileDocument } from '../../client/generated/operations.js';
import type { LocalStack } from '../../local/stack.js';
import { type Ticket, putUpload } from '../support/files.js';
import { graphql } from '../support/graphql-client.js';
import { onStateDir, startTestStack } from '../support/test-stack.js';

let stack: LocalStack;
let stateDir: string;
let token: string;
const stackLog: string[] = [];

/** The JVMs running DynamoDB Local on this stack's data (their command line names its folder). */
async function dynamoDbJvms(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('LoopbackDynamoDbLocal') && cmdline.includes(join(stateDir, 'dynamodb'))) pids.push(Number(name));
  }
  return pids;
}

/** The local addresses a process listens on (TCP, IPv4 and IPv6), from its socket inodes and /proc/net. */
async function listeningAddresses(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const addresses: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = (await readFile(`/proc/${pid}/net/${table}`, 'utf8')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      // local_address st ... inode: state 0A is LISTEN.
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) addresses.push(fields[1]?.split(':')[0] ?? '');
    }
  }
  return addresses;
}

const LOOPBACK_V4 = '0100007F';

/** A ticket and the bytes for it; the PUT (which starts the pipeline) comes later. */
async function ticketFor(n: number): Promise<{ ticket: Ticket; bytes: Buffer }> {
  const bytes = await sharp({ create: { width: 160 + n, height: 120, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const created = await graphql(stack.graphqlUrl, { kind: 'userPool', token }, CreateUploadDocument, {
    input: { fileName: `restart-${n}.jpg`, contentType: 'image/jpeg', size: bytes.length },
  });
  expect(created.errors).toBeUndefined();
  return { ticket: created.data!.createUpload, bytes };
}

async function finalStatus(id: string): Promise<string> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
    const response = await graphql(stack.graphqlUrl, { kind: 'userPool', token }, FileDocument, { id });
    const status = response.data?.file?.status;
    if (status === 'READY' || status === 'FAILED') return status;
  }
  throw new Error(`file ${id} did not finish`);
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dynamodb-restart-'));
  stack = await startTestStack(
    { ...onStateDir(stateDir), messaging: { port: 0, retryDelayMs: 300, scheduleIntervalMs: 1000 } },
    { log: (line) => stackLog.push(line) },
  );
  token = (await stack.issueTokens('restart-user')).idToken;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe("DynamoDB Local's JVM killed during a run of uploads", () => {
  it('given uploads in flight, when the JVM is killed with SIGKILL, then it is restarted on the same data with one log line, it listens on loopback only, and every upload ends READY', async () => {
    const [first] = await dynamoDbJvms();
    expect(first).toBeDefined();
    expect(await listeningAddresses(first!)).toEqual([LOOPBACK_V4]);

    const uploads = [];
    for (let n = 1; n <= 8; n += 1) uploads.push(await ticketFor(n));
    // The PUTs start the pipeline; the JVM dies while the first files are being processed and
    // the rest arrive while it is down and coming back.
    for (const [index, { ticket, bytes }] of uploads.entries()) {
      expect((await putUpload(ticket, bytes)).status).toBe(200);
      if (index === 2) process.kill(first!, 'SIGKILL');
    }
    const ids = uploads.map(({ ticket }) => ticket.file.id);

    const statuses = await Promise.all(ids.map((id) => finalStatus(id)));
    expect(statuses).toEqual(ids.map(() => 'READY'));

    const restartLines = stackLog.filter((line) => line.includes("DynamoDB Local's JVM"));
    expect(restartLines).toHaveLength(1);
    expect(restartLines[0]).toContain(`restarting it on the same data (${join(stateDir, 'dynamodb')})`);
    const now = await dynamoDbJvms();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first);
    expect(await listeningAddresses(now[0]!)).toEqual([LOOPBACK_V4]);
  }, 300_000);
});
