/**
 * `npm run soak [-- --uploads 500 --concurrency 8]`: a soak run of the upload pipeline on a
 * local stack of its own (ephemeral), not a test. Every upload goes through the API and a
 * signed PUT; 10% of the S3 events are delivered twice (SNS at-least-once, made visible) and 5%
 * of the files fail in PROCESS on every attempt (injected). It waits until every file is READY
 * or FAILED and prints the counts: lost files; duplicate side effects (a second metadata write
 * or thumbnail set for a file, a second terminal FileEvent delivered to a subscriber of the
 * owner's events, a second user notification); and failures unaccounted for, against the files
 * the fault rule targets (computed as the local stack computes it: `fractionOf(SEED, fileId) <
 * FAILING`): a targeted file that ended READY, a targeted file FAILED with no letter in a
 * dead-letter queue, or an untargeted file FAILED with no letter. Exits 1 when any of those, or
 * a file whose terminal event or notification never came, is not zero.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { OnFileEventDocument } from '../client/generated/operations.js';
import { NO_SUBSCRIBERS, parseUnsubscribedNotificationLine } from '../local/messaging/notification-line.js';
import { tuneHeapsForThroughput } from '../local/heap-tuning.js';
import { startLocalStack } from '../local/stack.js';
import { fractionOf } from '../local/faults/rules.js';
import { RealtimeClient } from '../test/support/realtime-client.js';
import { type DeadLetter, deadLetterQueues, peek } from './dlq.js';

const { values } = parseArgs({
  options: { uploads: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '8' }, verbose: { type: 'boolean', default: false } },
});
const total = Number(values.uploads);
const concurrency = Number(values.concurrency);
const SEED = 'soak';
const DUPLICATED = 0.1;
const FAILING = 0.05;

const output: string[] = [];
/** The stack's own log lines (the SNS stand-in logs each user notification here). */
const stackLines: string[] = [];
const started = Date.now();
// The soak runs the stack as `npm start` does: the same process-wide heap settings (local/main.ts).
tuneHeapsForThroughput();
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
    stackLines.push(line);
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
  // One subscriber of every event of the user's files (no fileId), there before the first upload.
  const credentials = { kind: 'userPool', token } as const;
  const realtime = await RealtimeClient.connect({ realtimeUrl: stack.realtimeUrl, graphqlUrl: stack.graphqlUrl, credentials, caPath: stack.caPath });
  const ack = await realtime.start('all', OnFileEventDocument, {}, credentials);
  if (ack.type !== 'start_ack') throw new Error(`subscription refused: ${JSON.stringify(ack)}`);
  const terminalEvents = () => {
    const counts = new Map<string, number>();
    for (const data of realtime.data('all')) {
      const event = data['onFileEvent'] as { fileId: string; status: string } | null;
      if (event && (event.status === 'READY' || event.status === 'FAILED')) counts.set(event.fileId, (counts.get(event.fileId) ?? 0) + 1);
    }
    return counts;
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

  // Terminal events trail the status the API shows by a hop (notify); then a little longer, for
  // late duplicates.
  const eventsDeadline = Date.now() + 30_000;
  while (uploads.some((u) => !terminalEvents().has(u.id)) && Date.now() < eventsDeadline) await new Promise((resolve) => setTimeout(resolve, 500));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  realtime.close();

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
  const events = terminalEvents();
  // `sns <topic>: no subscribers; <subject> | <message> [owner=..., fileId=..., status=...]`
  const notifications = new Map<string, number>();
  for (const line of stackLines) {
    const notification = parseUnsubscribedNotificationLine(line);
    const id = notification?.reason === NO_SUBSCRIBERS ? notification.attributes['fileId'] : undefined;
    if (id) notifications.set(id, (notifications.get(id) ?? 0) + 1);
  }
  const repeated = (counts: Map<string, number>) => [...counts.values()].filter((n) => n > 1).length;
  const duplicates = {
    metadata: repeated(metadata),
    thumbnails: repeated(thumbnails),
    events: repeated(events),
    notifications: repeated(notifications),
  };
  const duplicateEffects = duplicates.metadata + duplicates.thumbnails + duplicates.events + duplicates.notifications;
  const missedEvents = uploads.filter((u) => !events.has(u.id)).length;
  const missedNotifications = uploads.filter((u) => !notifications.has(u.id)).length;

  // The dead-letter consumer holds the letters while it runs (they stay in their queue), so a
  // listing can miss some: list a few times, until every FAILED file has its letter.
  const sqs = new SQSClient({ endpoint: stack.messagingEndpoint, region: stack.region, credentials: { ...stack.developerCredentials } });
  const letters: DeadLetter[] = [];
  const inDlq = new Set<string>();
  for (let attempt = 0; attempt < 6; attempt += 1) {
    letters.push(...(await Promise.all((await deadLetterQueues(sqs)).map((q) => peek(sqs, q)))).flat());
    for (const u of uploads) if (letters.some((l) => l.subject.includes(u.id))) inDlq.add(u.id);
    if (uploads.every((u) => u.status !== 'FAILED' || inDlq.has(u.id))) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  sqs.destroy();
  // The files the fault rule fails, chosen as the local stack chooses them (local/faults/rules.ts).
  const targeted = new Set(uploads.filter((u) => fractionOf(SEED, u.id) < FAILING).map((u) => u.id));

  const ready = uploads.filter((u) => u.status === 'READY').length;
  const failed = uploads.filter((u) => u.status === 'FAILED');
  const lost = uploads.filter((u) => u.status !== 'READY' && u.status !== 'FAILED').length;
  const duplicatedDeliveries = lines.filter((l) => /another delivery|Duplicate delivery/.test(String(l['message']))).length;
  const targetedReady = uploads.filter((u) => targeted.has(u.id) && u.status === 'READY');
  const targetedWithoutLetter = failed.filter((u) => targeted.has(u.id) && !inDlq.has(u.id));
  const untargetedFailed = failed.filter((u) => !targeted.has(u.id));
  const untargetedWithoutLetter = untargetedFailed.filter((u) => !inDlq.has(u.id));
  const unaccounted = targetedReady.length + targetedWithoutLetter.length + untargetedWithoutLetter.length;
  for (const [what, list] of [
    ['targeted but READY', targetedReady],
    ['targeted, FAILED, no dead letter', targetedWithoutLetter],
    ['not targeted, FAILED, no dead letter', untargetedWithoutLetter],
  ] as const) {
    for (const u of list) console.log(`${what}: ${u.id} ${u.status} ${u.code ?? ''}`);
  }
  console.log(
    [
      `uploads                      ${total}`,
      `READY                        ${ready}`,
      `FAILED                       ${failed.length} (${[...new Set(failed.map((u) => u.code))].join(', ') || '-'})`,
      `  of which in a DLQ          ${failed.filter((u) => inDlq.has(u.id)).length}`,
      `lost (neither)               ${lost}`,
      `duplicate side effects       ${duplicateEffects} (files with a 2nd metadata write ${duplicates.metadata}, thumbnail set ${duplicates.thumbnails}, terminal event ${duplicates.events}, notification ${duplicates.notifications})`,
      `terminal events missed       ${missedEvents}`,
      `notifications missed         ${missedNotifications}`,
      `duplicate deliveries seen    ${duplicatedDeliveries}`,
      `targeted by the fault rule   ${targeted.size} (FAILED ${failed.filter((u) => targeted.has(u.id)).length}, READY ${targetedReady.length})`,
      `FAILED, not targeted         ${untargetedFailed.length} (with a dead letter ${untargetedFailed.length - untargetedWithoutLetter.length})`,
      `failures not FAILED/in a DLQ ${unaccounted}`,
      `time                         ${((Date.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n'),
  );
  process.exitCode = lost === 0 && duplicateEffects === 0 && unaccounted === 0 && missedEvents === 0 && missedNotifications === 0 ? 0 : 1;
} finally {
  await stack.stop();
}
