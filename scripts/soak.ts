/**
 * `npm run soak [-- --uploads 500 --concurrency 8]`: a soak run of the upload pipeline on a
 * local stack of its own (ephemeral), not a test. Every upload goes through the API and a
 * signed PUT; 10% of the S3 events are delivered twice (SNS at-least-once, made visible) and 5%
 * of the files fail in PROCESS on every attempt (injected). It waits until every file is READY
 * or FAILED and prints the counts: lost files, duplicate side effects (a second metadata write
 * or thumbnail set for a file), and failures that are neither FAILED nor in a dead-letter queue.
 * Exits 1 when any of those is not zero.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { startLocalStack } from '../local/stack.js';
import { fractionOf } from '../resolvers/shared/faults.js';
import { deadLetterQueues, peek } from './dlq.js';

const { values } = parseArgs({
  options: { uploads: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '8' }, verbose: { type: 'boolean', default: false } },
});
const total = Number(values.uploads);
const concurrency = Number(values.concurrency);
const SEED = 'soak';
const DUPLICATED = 0.1;
const FAILING = 0.05;
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const output: string[] = [];
const started = Date.now();
const stack = await startLocalStack({
  projectDir: fileURLToPath(new URL('..', import.meta.url)),
  port: 0,
  s3Port: 0,
  ephemeral: true,
  asyncRetryDelaysMs: [200, 400],
  messaging: {
    retryDelayMs: 200,
    scheduleIntervalMs: 2000,
    // SNS delivers at least once: a tenth of the uploads' events arrive twice.
    duplicateDelivery: ({ message }) => {
      const key = /uploads\/[^"]+/.exec(message)?.[0];
      return key !== undefined && fractionOf(`${SEED}-dup`, key) < DUPLICATED;
    },
  },
  faults: { seed: SEED, rules: [{ kind: 'step-error', step: 'PROCESS', fileNamePrefix: 'soak-', fraction: FAILING }] },
  log: (line) => {
    if (values.verbose) console.log(line);
  },
  functionOutput: (text) => output.push(text),
});

interface Upload {
  readonly id: string;
  status: string;
  code: string | null;
}

try {
  const token = (await stack.issueTokens('soak-user')).idToken;
  const gql = async <T>(query: string, variables: unknown): Promise<T> => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  };
  const uploads: Upload[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const bytes = await sharp({ create: { width: 64 + (n % 50), height: 48 + (n % 30), channels: 3, background: { r: n % 255, g: 80, b: 160 } } })
        .jpeg()
        .toBuffer();
      const { createUpload } = await gql<{ createUpload: { file: { id: string }; uploadUrl: string; uploadHeaders: string } }>(
        'mutation C($input: CreateUploadInput!) { createUpload(input: $input) { file { id } uploadUrl uploadHeaders } }',
        { input: { fileName: `soak-${n}.jpg`, contentType: 'image/jpeg', size: bytes.length } },
      );
      const put = await fetch(createUpload.uploadUrl, { method: 'PUT', headers: JSON.parse(createUpload.uploadHeaders) as Record<string, string>, body: bytes });
      if (put.status !== 200) throw new Error(`PUT ${put.status}`);
      uploads.push({ id: createUpload.file.id, status: 'PENDING_UPLOAD', code: null });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  console.log(`${total} uploads sent in ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for the pipeline...`);

  const deadline = Date.now() + Math.max(10 * 60_000, total * 3_000);
  for (;;) {
    const open = uploads.filter((u) => u.status !== 'READY' && u.status !== 'FAILED');
    for (const upload of open) {
      const { file } = await gql<{ file: { status: string; error: { code: string } | null } | null }>(
        'query F($id: ID!) { file(id: $id) { status error { code } } }',
        { id: upload.id },
      );
      upload.status = file?.status ?? 'MISSING';
      upload.code = file?.error?.code ?? null;
    }
    const left = uploads.filter((u) => u.status !== 'READY' && u.status !== 'FAILED').length;
    if (left === 0 || Date.now() > deadline) break;
    if (values.verbose) console.log(`${left} still processing`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }

  const lines = output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const perFile = (message: string) => {
    const counts = new Map<string, number>();
    for (const line of lines.filter((l) => l['message'] === message)) {
      const id = String(line['fileId'] ?? '');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  const metadata = perFile('Metadata recorded');
  const thumbnails = perFile('Thumbnails recorded');
  const duplicateEffects = [...metadata.values(), ...thumbnails.values()].filter((n) => n > 1).length;
  const sqs = new SQSClient({ endpoint: stack.messagingEndpoint, region: stack.region, credentials: { ...stack.developerCredentials } });
  const letters = (await Promise.all((await deadLetterQueues(sqs)).map((q) => peek(sqs, q)))).flat();
  sqs.destroy();
  const inDlq = new Set(uploads.filter((u) => letters.some((l) => l.subject.includes(u.id))).map((u) => u.id));

  const ready = uploads.filter((u) => u.status === 'READY').length;
  const failed = uploads.filter((u) => u.status === 'FAILED');
  const lost = uploads.filter((u) => u.status !== 'READY' && u.status !== 'FAILED').length;
  const duplicatedDeliveries = lines.filter((l) => /another delivery|Duplicate delivery/.test(String(l['message']))).length;
  const unaccounted = failed.filter((u) => u.code === null && !inDlq.has(u.id)).length;
  console.log(
    [
      `uploads                      ${total}`,
      `READY                        ${ready}`,
      `FAILED                       ${failed.length} (${[...new Set(failed.map((u) => u.code))].join(', ') || '-'})`,
      `  of which in a DLQ          ${failed.filter((u) => inDlq.has(u.id)).length}`,
      `lost (neither)               ${lost}`,
      `duplicate side effects       ${duplicateEffects}`,
      `duplicate deliveries seen    ${duplicatedDeliveries}`,
      `failures not FAILED/in a DLQ ${unaccounted}`,
      `time                         ${((Date.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n'),
  );
  process.exitCode = lost === 0 && duplicateEffects === 0 && unaccounted === 0 ? 0 : 1;
} finally {
  await stack.stop();
}
