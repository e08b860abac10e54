/**
 * Fault injection (local/faults/), a test tool the local stack applies from outside the handler:
 * what each rule decides, and the worker's host putting them into the AWS SDK calls of a handler
 * that knows nothing of them. DynamoDB and S3 are stand-ins on loopback answering what the calls
 * need; the clients are the AWS SDK's own, as the handlers create them.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { MAKE_THUMBNAILS_ENTRY, PROCESS_UPLOAD_ENTRY } from '../../../infra/constructs/upload-pipeline.js';
import { ORDER_STEPS } from '../../../infra/constructs/orders-workflow.js';
import { STEP_ENTRIES, hostWithFaults } from '../../../local/faults/host.js';
import { type FaultConfig, createFaults, fractionOf, parseFaultConfig } from '../../../local/faults/rules.js';
import { LocalFunction, buildWorkerEntry } from '../../../local/lambda/local-function.js';
import { originalKey } from '../../../resolvers/files/domain/keys.js';

const PROJECT = fileURLToPath(new URL('../../..', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('fault rules', () => {
  const delivery = (fileName: string, receiveCount = 1, redriven = false) => ({ fileId: 'f', fileName, receiveCount, redriven });

  it('given no rules, then nothing is active and nothing is planted', () => {
    const faults = createFaults(null);
    expect(faults.active).toBe(false);
    expect(faults.concerns('PROCESS')).toBe(false);
    expect(faults.stepFault('PROCESS', delivery('x'))).toBeNull();
    expect(faults.throttlesDynamoDb('UpdateItemCommand', 1)).toBe(false);
  });

  it('given a throw-once rule for a name prefix, then only that file fails, only on its first receive', () => {
    const faults = createFaults(parseFaultConfig(JSON.stringify({ rules: [{ kind: 'step-error', step: 'THUMBNAIL', fileNamePrefix: 'once-', onReceiveCounts: [1] }] })));
    expect(faults.stepFault('THUMBNAIL', delivery('once-a.jpg', 1))).toMatchObject({ name: 'InjectedFault', message: 'Injected fault in THUMBNAIL (receive 1)' });
    expect(faults.stepFault('THUMBNAIL', delivery('once-a.jpg', 2))).toBeNull();
    expect(faults.stepFault('PROCESS', delivery('once-a.jpg', 1))).toBeNull();
    expect(faults.stepFault('THUMBNAIL', delivery('other.jpg', 1))).toBeNull();
  });

  it('given an until-redriven rule, then the file fails on every receive until its message is redriven', () => {
    const faults = createFaults({ rules: [{ kind: 'step-error', step: 'THUMBNAIL', untilRedriven: true }] });
    expect([1, 2, 3].map((n) => faults.stepFault('THUMBNAIL', delivery('a.jpg', n)) !== null)).toEqual([true, true, true]);
    expect(faults.stepFault('THUMBNAIL', delivery('a.jpg', 1, true))).toBeNull();
  });

  it('given a step-delay rule for a name prefix, then only that step of that file is held, for the delay', () => {
    const faults = createFaults(parseFaultConfig({ rules: [{ kind: 'step-delay', step: 'PROCESS', fileNamePrefix: 'slow-', delayMs: 1500 }] }));
    const delay = (fileName: string, step: string) => faults.stepDelayMs(step, delivery(fileName));
    expect([delay('slow-a.jpg', 'PROCESS'), delay('slow-a.jpg', 'THUMBNAIL'), delay('a.jpg', 'PROCESS')]).toEqual([1500, 0, 0]);
    expect(faults.concerns('PROCESS')).toBe(true);
    expect(() => parseFaultConfig({ rules: [{ kind: 'step-delay', step: 'PROCESS', delayMs: -1 }] })).toThrow(/delayMs/);
  });

  it('given a fraction, then the same files are chosen every time, about that share of them', () => {
    const faults = createFaults({ seed: 's', rules: [{ kind: 'step-error', step: 'PROCESS', fraction: 0.1 }] });
    const ids = Array.from({ length: 2000 }, (_, i) => `file-${i}`);
    const chosen = ids.filter((fileId) => faults.stepFault('PROCESS', { fileId, fileName: 'x', receiveCount: 1 }) !== null);
    expect(chosen.length).toBeGreaterThan(140);
    expect(chosen.length).toBeLessThan(260);
    expect(chosen.every((id) => fractionOf('s', id) < 0.1)).toBe(true);
  });

  it('given a throttle rule, then the first attempts of the named commands are throttled and later attempts are not', () => {
    const faults = createFaults({ rules: [{ kind: 'dynamodb-throttle', attempts: 2, operations: ['UpdateItemCommand'] }] });
    expect(faults.throttling).toBe(true);
    expect([1, 2, 3].map((attempt) => faults.throttlesDynamoDb('UpdateItemCommand', attempt))).toEqual([true, true, false]);
    expect(faults.throttlesDynamoDb('GetItemCommand', 1)).toBe(false);
  });

  it.each(['not json', '{"rules":[{"kind":"boom"}]}', '{"rules":[{"kind":"step-error"}]}', '{"rules":[{"kind":"step-error","step":"X","fraction":2}]}'])(
    'given the malformed configuration %s, then a ConfigurationError names the problem',
    (raw) => {
      expect(() => parseFaultConfig(raw)).toThrow(expect.objectContaining({ name: 'ConfigurationError' }));
    },
  );

  it('given the steps rules name, then each is the function the CDK app deploys for it', () => {
    const recordSale = ORDER_STEPS.find((step) => step.state === 'RecordSale')?.entry;
    expect(Object.keys(STEP_ENTRIES).sort()).toEqual([MAKE_THUMBNAILS_ENTRY, PROCESS_UPLOAD_ENTRY, recordSale].sort());
  });
});

/** A loopback stand-in for DynamoDB and S3: DynamoDB's GetItem answers `items[id]`, S3's GetObject `hello`. */
async function standIn(items: Record<string, Record<string, { S: string }>> = {}) {
  const requests: { target: string; path: string }[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      requests.push({ target, path: request.url ?? '' });
      if (target === '') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('hello');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Key?: { id?: { S?: string } } };
      const item = items[body.Key?.id?.S ?? ''];
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(item === undefined ? {} : { Item: item }));
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("the worker's host, around a handler that knows nothing of faults", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const bundlePath = fileURLToPath(import.meta.url);

  it('given a throttle rule, then the first attempt is answered 400 ProvisionedThroughputExceededException, one line tells it, and the SDK retries to success', async () => {
    const dynamodb = await standIn({ a: { id: { S: 'a' } } });
    cleanups.push(dynamodb.close);
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials });
    cleanups.push(async () => client.destroy());
    const lines: string[] = [];
    const handler = hostWithFaults(
      async () => client.send(new GetItemCommand({ TableName: 't', Key: { id: { S: 'a' } } })),
      { entry: 'resolvers/anything.ts', bundlePath, faults: { rules: [{ kind: 'dynamodb-throttle', attempts: 1 }] }, output: (line) => lines.push(line) },
    );

    const result = (await handler({}, {})) as { Item?: unknown; $metadata: { attempts?: number } };

    expect(result.Item).toEqual({ id: { S: 'a' } });
    expect(result.$metadata.attempts).toBe(2);
    expect(dynamodb.requests).toHaveLength(1);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'WARN', message: 'Injected DynamoDB throttling', commandName: 'GetItemCommand', attempt: 1, fault: 'dynamodb-throttle' },
    ]);
  });

  it('given every attempt throttled, then the SDK retries, then gives up with the exception DynamoDB would have sent, having sent nothing', async () => {
    const dynamodb = await standIn();
    cleanups.push(dynamodb.close);
    const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials });
    cleanups.push(async () => client.destroy());
    const lines: string[] = [];
    const handler = hostWithFaults(async () => client.send(new GetItemCommand({ TableName: 't', Key: { id: { S: 'a' } } })), {
      entry: 'resolvers/anything.ts',
      bundlePath,
      faults: { rules: [{ kind: 'dynamodb-throttle', attempts: 10 }] },
      output: (line) => lines.push(line),
    });

    const failure = (await Promise.resolve(handler({}, {})).catch((error: unknown) => error)) as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

    expect(failure.name).toBe('ProvisionedThroughputExceededException');
    expect(failure.$metadata?.httpStatusCode).toBe(400);
    // As many attempts as the SDK's retry strategy makes, each answered by the throttle.
    expect(failure.$metadata?.attempts).toBeGreaterThan(1);
    expect(lines).toHaveLength(failure.$metadata?.attempts ?? 0);
    expect(dynamodb.requests).toEqual([]);
  });

  it("given a step-error rule for PROCESS, then the step's read of a matching file fails with InjectedFault on the first receive only, and other files' reads pass", async () => {
    const fileId = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';
    const other = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const services = await standIn({ [fileId]: { fileName: { S: 'fail-once.jpg' } }, [other]: { fileName: { S: 'fine.jpg' } } });
    cleanups.push(services.close);
    const saved = { ...process.env };
    // The worker's environment is the function's: the host reads the file record as the function would.
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: services.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    cleanups.push(async () => {
      process.env = saved;
    });
    const s3 = new S3Client({ endpoint: services.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    cleanups.push(async () => s3.destroy());
    const read = (id: string) => s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: originalKey('o', id) })).then((r) => r.Body?.transformToString());
    const handler = hostWithFaults(async (event) => Promise.allSettled((event as { ids: string[] }).ids.map(read)), {
      entry: PROCESS_UPLOAD_ENTRY,
      bundlePath,
      env: { UPLOADS_BUCKET: 'uploads', FILES_TABLE: 'files' },
      faults: { rules: [{ kind: 'step-error', step: 'PROCESS', fileNamePrefix: 'fail-', onReceiveCounts: [1] }] },
    });
    const delivery = (receiveCount: number) => ({
      ids: [fileId, other],
      Records: [fileId, other].map((id) => ({
        body: JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'uploads' }, object: { key: originalKey('o', id), sequencer: '01' } } }] }),
        attributes: { ApproximateReceiveCount: String(receiveCount) },
      })),
    });

    const first = (await handler(delivery(1), {})) as PromiseSettledResult<string>[];
    const second = (await handler(delivery(2), {})) as PromiseSettledResult<string>[];

    expect(first[0]).toMatchObject({ status: 'rejected', reason: { name: 'InjectedFault', message: 'Injected fault in PROCESS (receive 1)' } });
    expect(first[1]).toEqual({ status: 'fulfilled', value: 'hello' });
    expect(second).toEqual([
      { status: 'fulfilled', value: 'hello' },
      { status: 'fulfilled', value: 'hello' },
    ]);
  });
});

describe('a local function started with faults', () => {
  let dir: string;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(options: { faults?: FaultConfig; environment?: Record<string, string> }, endpoint: string) {
    // Inside the project, so that the handler's packages resolve from its node_modules, as the stack's bundles do.
    dir = join(PROJECT, 'node_modules', '.cache', `faults-test-${process.pid}-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const entryPath = join(dir, 'reader.mjs');
    await writeFile(
      entryPath,
      "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';\n" +
        'const client = new DynamoDBClient({});\n' +
        'export const handler = async () => {\n' +
        "  const { $metadata } = await client.send(new GetItemCommand({ TableName: 't', Key: { id: { S: 'a' } } }));\n" +
        '  return { attempts: $metadata.attempts, faultVariables: Object.keys(process.env).filter((name) => /FAULT/i.test(name)) };\n' +
        '};\n',
    );
    const fn = new LocalFunction({
      name: 'reader',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:reader',
      entryPath,
      entry: 'reader.mjs',
      handlerName: 'handler',
      timeoutSeconds: 30,
      memoryMb: 256,
      environment: { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', ...options.environment },
      buildDir: join(dir, 'build'),
      workerPath: await buildWorkerEntry(join(dir, 'build')),
      asIs: true,
      ...(options.faults ? { faults: options.faults } : {}),
    });
    await fn.build();
    cleanups.push(() => fn.stop());
    return fn;
  }

  it('given a throttle rule, then the worker throttles the handler\'s own client, whose environment has no trace of it; given the rules in its environment instead, then nothing', async () => {
    const dynamodb = await standIn();
    cleanups.push(dynamodb.close);
    const throttleOnce = { rules: [{ kind: 'dynamodb-throttle' as const, attempts: 1 }] };

    const withFaults = await start({ faults: throttleOnce }, dynamodb.endpoint);
    expect(await withFaults.invoke({})).toEqual({ attempts: 2, faultVariables: [] });

    const configuredByEnvironment = await start({ environment: { PIPELINE_FAULTS: JSON.stringify(throttleOnce) } }, dynamodb.endpoint);
    expect(await configuredByEnvironment.invoke({})).toEqual({ attempts: 1, faultVariables: ['PIPELINE_FAULTS'] });
  });
});
