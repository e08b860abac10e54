/**
 * The local stack on a shared network (issue 17): `npm start` in a process group of its own, on a
 * temporary state folder and free ports. Every socket its process tree listens on is on loopback,
 * and no port takes an S3 write that is unsigned, wrongly signed, signed with s3rver's old public
 * key, aimed outside its prefix with `..`, or made by a role without the S3 action.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cdk/template.js';
import { readTopology } from '../../local/cdk/topology.js';
import { bucketsOfTemplate, s3Principals } from '../../local/s3/index.js';
import { localNames, localValues } from '../../local/wiring.js';
import { type ListeningSocket, listeningSocketsOf } from '../support/listening-sockets.js';
import { FREE_PORTS, type StackProcess, bannerEndpoints, startStackProcess } from '../support/stack-process.js';

const REGION = 'us-east-1';
const LOOPBACK = ['127.0.0.1', '::1'];

describe('npm start on a shared network', () => {
  let stateDir: string;
  let stack: StackProcess;
  let endpoints: Map<string, URL>;
  let sockets: ListeningSocket[];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'network-safety-'));
    stack = startStackProcess([...FREE_PORTS, '--state-dir', stateDir, '--outputs', join(stateDir, 'outputs.json')], { timeoutMs: 110_000 });
    endpoints = bannerEndpoints(await stack.ready);
    sockets = await listeningSocketsOf(stack.pid);
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('given the started stack, when the listening sockets of its process tree are listed from /proc/net/tcp and tcp6, then each is on 127.0.0.1 or ::1', () => {
    const ports = new Set(sockets.map((s) => s.port));
    for (const label of ['GraphQL', 'S3', 'DynamoDB', 'SQS + SNS', 'Step Fns']) {
      expect(ports.has(Number(endpoints.get(label)?.port)), `${label} (${endpoints.get(label)?.href}) is among ${JSON.stringify(sockets)}`).toBe(true);
    }

    const exposed = sockets.filter((s) => !LOOPBACK.includes(s.address));

    expect(exposed).toEqual([]);
  });

  it('given every port the stack listens on, when each takes S3 writes that must fail, then the S3 port answers with S3 error codes, no port answers 2xx, and nothing is written', async () => {
    const template = await readTemplate(stateDir);
    const topology = readTopology(template);
    const names = localNames(topology, (await readFile(join(stateDir, 'seed'), 'utf8')).trim(), REGION);
    const values = localValues(template, names, {
      apis: new Map(),
      s3: endpoints.get('S3')?.origin ?? '',
      dynamodb: endpoints.get('DynamoDB')?.origin ?? '',
      messaging: endpoints.get('SQS + SNS')?.origin ?? '',
      stepFunctions: endpoints.get('Step Fns')?.origin ?? '',
    });
    const bucket = bucketsOfTemplate(template, names.bucketName).find((b) => b.versioning === 'Enabled')?.name ?? '';
    const access = s3Principals([...names.functionPrincipals.values()], topology.roles, values, undefined);
    const roleWithoutPut = [...names.functionPrincipals.values()].find(
      (p) => !(access(p.accessKeyId)?.allows('s3:PutObject', `arn:aws:s3:::${bucket}/uploads/x`) ?? true),
    );
    expect(roleWithoutPut).toBeDefined();
    const developer = names.developer;
    const attacks = [
      { name: 'unsigned', key: 'uploads/attack-unsigned', credentials: undefined, code: 'AccessDenied', status: 403 },
      { name: 'wrong signature', key: 'uploads/attack-wrong-secret', credentials: { accessKeyId: developer.accessKeyId, secretAccessKey: 'wrong' }, code: 'SignatureDoesNotMatch', status: 403 },
      { name: "s3rver's built-in key", key: 'uploads/attack-s3rver', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, code: 'InvalidAccessKeyId', status: 403 },
      { name: 'a key with ..', key: 'uploads/../thumbnails/attack-dots', credentials: developer, code: 'InvalidArgument', status: 400 },
      { name: 'a role without s3:PutObject', key: 'uploads/attack-role', credentials: roleWithoutPut, code: 'AccessDenied', status: 403 },
    ];
    const s3Port = Number(endpoints.get('S3')?.port);
    const answers: { port: number; attack: string; status: number | undefined; code: string | undefined }[] = [];

    for (const port of new Set(sockets.map((s) => s.port))) {
      for (const attack of attacks) {
        answers.push({ port, attack: attack.name, ...(await attempt(`http://127.0.0.1:${port}`, bucket, attack.key, attack.credentials)) });
      }
    }

    expect(answers.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300)).toEqual([]);
    expect(answers.filter((a) => a.port === s3Port).map((a) => [a.attack, a.status, a.code])).toEqual(
      attacks.map((a) => [a.name, a.status, a.code]),
    );
    const admin = new S3Client({ endpoint: endpoints.get('S3')?.origin ?? '', region: REGION, credentials: developer, forcePathStyle: true });
    for (const prefix of ['uploads/', 'thumbnails/']) {
      const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
      expect([...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]).toEqual([]);
    }
    admin.destroy();
  });
});

describe('npm start on a damaged seed', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'damaged-seed-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('given a state folder whose seed is cut short, when npm start runs, then it stops with one line saying what to do, and the seed is left as it was', async () => {
    await writeFile(join(stateDir, 'seed'), '0123abcd\n');

    const stack = startStackProcess([...FREE_PORTS, '--state-dir', stateDir, '--outputs', join(stateDir, 'outputs.json')], { timeoutMs: 110_000 });
    const exit = await stack.exited;

    expect(exit.code).toBe(1);
    const lines = stack.stderr().trim().split('\n');
    expect(lines).toEqual([`The seed ${join(stateDir, 'seed')} is damaged (expected 64 hexadecimal characters). It derives this state folder's credentials and keys: restore it from a backup, or delete ${stateDir} to start over with new ones (and no data).`]);
    expect(await readFile(join(stateDir, 'seed'), 'utf8')).toBe('0123abcd\n');
  }, 150_000);
});

async function readTemplate(stateDir: string): Promise<CfnTemplate> {
  const dir = join(stateDir, 'cdk.out');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.template.json'))) {
    const template = JSON.parse(await readFile(join(dir, name), 'utf8')) as CfnTemplate;
    if (Object.values(template.Resources ?? {}).some((r) => r.Type === 'AWS::AppSync::GraphQLApi')) return template;
  }
  throw new Error(`no template with the API in ${dir}`);
}

/** One PUT, signed (or not) as given; the status and S3 error code it got, or none if the port hung up. */
async function attempt(
  endpoint: string,
  bucket: string,
  key: string,
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined,
): Promise<{ status: number | undefined; code: string | undefined }> {
  if (credentials === undefined) {
    const response = await fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body: 'x', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    const body = (await response?.text().catch(() => '')) ?? '';
    return { status: response?.status, code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1] };
  }
  const client = new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true, maxAttempts: 1, requestHandler: { requestTimeout: 10_000 } });
  try {
    const result = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    return { status: result.$metadata.httpStatusCode, code: undefined };
  } catch (error) {
    const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { status: failure.$metadata?.httpStatusCode, code: failure.name };
  } finally {
    client.destroy();
  }
}

