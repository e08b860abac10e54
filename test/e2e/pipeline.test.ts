/**
 * The upload pipeline through the API on a local stack of its own, started with faults: steps
 * that throw (by file-name prefix), DynamoDB throttling on every UpdateItem, SNS deliveries
 * duplicated for chosen files, short retry delays and a fast dead-letter schedule. Every
 * assertion is about what a client or an operator can see: the API, subscriptions, the bucket,
 * the queues, the functions' JSON log lines and the stack's own lines (the SNS stand-in's
 * notifications). The faults are chosen per file name so that every case shares that one stack:
 * the file stays whole, over 400 lines, rather than start a faulted stack per concern.
 */
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, DeleteFileDocument, FileDocument, OnFileEventDocument, ReprocessFileDocument } from '../../client/generated/operations.js';
import { NO_SUBSCRIBERS, type UnsubscribedNotification, parseUnsubscribedNotificationLine } from '../../local/messaging/notification-line.js';
import type { LocalStack } from '../../local/stack.js';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { deadLetterQueues, peek, redrive } from '../../scripts/dlq.js';
import { graphql } from '../support/graphql-client.js';
import { RealtimeClient } from '../support/realtime-client.js';
import { startTestStack } from '../support/test-stack.js';
import { makeJpeg, pixelBombPng } from '../support/images.js';

type Json = Record<string, unknown>;
interface FileView {
  id: string;
  status: string;
  width: number | null;
  format: string | null;
  error: { code: string; message: string; step: string | null } | null;
  thumbnails: { width: number; height: number; format: string; url: string }[];
}

const duplicated = new Set<string>();
let stack: LocalStack;
let token: string;
let owner: string;
let s3: S3Client;
let sqs: SQSClient;
const output: string[] = [];
/** The stack's own log lines (not the functions'). */
const stackLog: string[] = [];
let bucket: string;

/** The functions' JSON log lines so far. */
function logs(): Json[] {
  return output
    .join('')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Json];
      } catch {
        return [];
      }
    });
}
const logsOf = (fileId: string) => logs().filter((l) => JSON.stringify(l).includes(fileId));
/**
 * The user notifications about a file: the notifications topic has no subscribers locally, so the
 * SNS stand-in logs each message published to it as
 * `sns <topic>: no subscribers; <subject> | <message> [owner=..., fileId=..., status=...]`.
 */
const notificationsOf = (fileId: string): UnsubscribedNotification[] =>
  stackLog
    .map(parseUnsubscribedNotificationLine)
    .filter((n): n is UnsubscribedNotification => n?.reason === NO_SUBSCRIBERS && n.attributes['fileId'] === fileId);

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 50_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const credentials = () => ({ kind: 'userPool', token }) as const;

async function file(id: string): Promise<FileView | null> {
  const response = await graphql(stack.graphqlUrl, credentials(), FileDocument, { id });
  return response.data?.file ?? null;
}

const finished = (id: string) =>
  until(async () => {
    const current = await file(id);
    return current !== null && ['READY', 'FAILED'].includes(current.status) ? current : undefined;
  }, `file ${id} to finish`);

/** createUpload, then the PUT: by the client with the ticket, or (bytes S3 would refuse) by an operator. */
async function upload(
  fileName: string,
  bytes: Buffer,
  options: { contentType?: string; declaredSize?: number; putAs?: 'ticket' | 'operator'; before?: (id: string) => unknown } = {},
) {
  const created = await graphql(stack.graphqlUrl, credentials(), CreateUploadDocument, {
    input: { fileName, contentType: options.contentType ?? 'image/jpeg', size: options.declaredSize ?? bytes.length },
  });
  expect(created.errors).toBeUndefined();
  const ticket = created.data!.createUpload;
  bucket = new URL(ticket.uploadUrl).pathname.split('/')[1] ?? '';
  await options.before?.(ticket.file.id);
  const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
  if ((options.putAs ?? 'ticket') === 'ticket') {
    const put = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: bytes });
    expect(put.status).toBe(200);
  } else {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `uploads/${owner}/${ticket.file.id}`,
        Body: bytes,
        Metadata: { 'correlation-id': headers['x-amz-meta-correlation-id'] ?? '' },
      }),
    );
  }
  return { id: ticket.file.id, correlationId: headers['x-amz-meta-correlation-id'] ?? '' };
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function subscribe(id: string, name: string): Promise<RealtimeClient> {
  const client = await RealtimeClient.connect({
    realtimeUrl: stack.realtimeUrl,
    graphqlUrl: stack.graphqlUrl,
    credentials: credentials(),
    caPath: stack.caPath,
  });
  const ack = await client.start(name, OnFileEventDocument, { fileId: id }, credentials());
  expect(ack.type).toBe('start_ack');
  return client;
}
/** Uploads with a subscription to the file acknowledged before the PUT: no event can come first. */
async function uploadSubscribed(fileName: string, bytes: Buffer, name: string, before?: (id: string) => unknown) {
  let realtime: RealtimeClient | undefined;
  const { id } = await upload(fileName, bytes, {
    before: async (fileId) => {
      await before?.(fileId);
      realtime = await subscribe(fileId, name);
    },
  });
  if (realtime === undefined) throw new Error('not subscribed');
  return { id, realtime };
}
const events = (client: RealtimeClient, name: string) =>
  client.data(name).map((d) => d['onFileEvent'] as { status: string; step: string; message: string | null });

/** The notifications about a file once the first has come and a second had time to follow. */
async function settledNotifications(fileId: string): Promise<UnsubscribedNotification[]> {
  await until(() => (notificationsOf(fileId).length > 0 ? true : undefined), `a notification about ${fileId}`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return notificationsOf(fileId);
}

const jpeg = (width = 320, height = 240) =>
  sharp({ create: { width, height, channels: 3, background: '#884422' } }).jpeg().toBuffer();

beforeAll(async () => {
  stack = await startTestStack(
    {
      asyncRetryDelaysMs: [200, 400],
      messaging: {
        retryDelayMs: 300,
        scheduleIntervalMs: 1000,
        duplicateDelivery: ({ message }) => [...duplicated].some((id) => message.includes(id)),
      },
      faults: {
        seed: 'e2e',
        rules: [
          { kind: 'step-error', step: 'THUMBNAIL', fileNamePrefix: 'throw-once-', onReceiveCounts: [1] },
          { kind: 'step-error', step: 'PROCESS', fileNamePrefix: 'always-process-' },
          { kind: 'step-error', step: 'THUMBNAIL', fileNamePrefix: 'always-thumbnail-' },
          { kind: 'step-error', step: 'THUMBNAIL', fileNamePrefix: 'until-redrive-', untilRedriven: true },
          // Longer than a duplicate delivery takes to run out of receives and be dead-lettered.
          { kind: 'step-delay', step: 'PROCESS', fileNamePrefix: 'slow-twice', delayMs: 4000 },
          { kind: 'dynamodb-throttle', attempts: 1, operations: ['UpdateItemCommand'] },
        ],
      },
    },
    { log: (line) => stackLog.push(line), functionOutput: (text) => output.push(text) },
  );
  const issued = await stack.issueTokens('pipeline-user');
  token = issued.idToken;
  owner = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub as string;
  const developer = { ...stack.developerCredentials };
  s3 = createS3Client({ endpoint: stack.s3Endpoint, region: stack.region, credentials: developer });
  sqs = new SQSClient({ endpoint: stack.messagingEndpoint, region: stack.region, credentials: developer });
}, 180_000);

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

describe('fault injection', () => {
  it('given THUMBNAIL throws on its first delivery, when retried, then READY with one metadata write, one thumbnail set and one READY event', async () => {
    const { id, realtime } = await uploadSubscribed('throw-once-a.jpg', await jpeg(), 'once');
    try {
      expect((await finished(id)).status).toBe('READY');
      await realtime.until(() => (events(realtime, 'once').some((e) => e.status === 'READY') ? true : undefined), 20_000, 'READY');
      const lines = logsOf(id);
      expect(lines.filter((l) => l['message'] === 'Step failed; the message returns to the queue' && l['step'] === 'THUMBNAIL')).toHaveLength(1);
      expect(lines.filter((l) => l['message'] === 'Metadata recorded')).toHaveLength(1);
      expect(lines.filter((l) => l['message'] === 'Thumbnails recorded')).toHaveLength(1);
      expect(events(realtime, 'once').filter((e) => e.status === 'READY')).toHaveLength(1);
    } finally {
      realtime.close();
    }
  });

  // Its waits add up to more than the project's 60 s per test when the machine is busy (each
  // `until` may take its 50 s): the test's own budget covers them.
  it('given PROCESS always throws, then 3 receives, the dead-letter queue, FAILED with the cause and exactly one FAILED event', { timeout: 240_000 }, async () => {
    const { id, realtime } = await uploadSubscribed('always-process-a.jpg', await jpeg(), 'always');
    try {
      const failed = await finished(id);
      expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'RETRIES_EXHAUSTED', step: 'PROCESS' } });
      expect(failed.error?.message).toContain('InjectedFault');
      const receivesOf = () =>
        logsOf(id)
          .filter((l) => l['message'] === 'Step failed; the message returns to the queue' && l['step'] === 'PROCESS')
          .map((l) => l['receiveCount']);
      // The functions' output reaches the test asynchronously: wait for the third line, then
      // require exactly receives 1, 2 and 3.
      await until(() => (receivesOf().length >= 3 ? true : undefined), 'the third PROCESS failure in the logs', 10_000);
      expect(receivesOf()).toEqual([1, 2, 3]);
      // Later dead-letter runs see the message again (it stays for an operator) and handle it no more:
      // counted, not a set, after three runs that came after the first handling.
      const runsAfterHandling = () => {
        const all = logs();
        const first = all.findIndex((l) => l['message'] === 'Dead letter handled' && JSON.stringify(l).includes(id));
        return first < 0 ? 0 : all.slice(first + 1).filter((l) => l['message'] === 'Dead-letter run').length;
      };
      // The FAILED announcement reaches the notify function through SNS and its own queue, on
      // its own clock: wait for its line, then for three more runs, and count both.
      const notified = () => logsOf(id).filter((l) => l['message'] === 'Notify outcome').length;
      await until(() => (notified() >= 1 ? true : undefined), 'the notify outcome of the FAILED file');
      const runsBefore = runsAfterHandling();
      await until(() => (runsAfterHandling() >= Math.max(3, runsBefore + 1) ? true : undefined), 'three later dead-letter runs');
      expect(logsOf(id).filter((l) => l['message'] === 'Dead letter handled')).toHaveLength(1);
      expect(notified()).toBe(1);
      // The dead-letter consumer holds messages while it runs; a listing between runs sees them.
      const letters = await until(async () => {
        const all = (await Promise.all((await deadLetterQueues(sqs)).map((q) => peek(sqs, q)))).flat();
        const mine = all.filter((l) => l.subject.includes(id));
        return mine.length > 0 ? mine : undefined;
      }, 'the dead letter in a listing');
      expect(letters).toEqual([expect.objectContaining({ source: expect.stringContaining('ProcessSubscriber') })]);
      await realtime.until(() => (events(realtime, 'always').some((e) => e.status === 'FAILED') ? true : undefined), 20_000, 'FAILED');
      expect(events(realtime, 'always').filter((e) => e.status === 'FAILED')).toHaveLength(1);
    } finally {
      realtime.close();
    }
  });

  it('given the same S3 event delivered twice at once to every queue, then one metadata write and one thumbnail set', async () => {
    const { id } = await upload('twice.jpg', await jpeg(), { before: (fileId) => duplicated.add(fileId) });
    expect((await finished(id)).status).toBe('READY');
    await until(() => (logsOf(id).filter((l) => l['step'] === 'PROCESS' && /Step outcome|another delivery/.test(String(l['message']))).length >= 2 ? true : undefined), 'both PROCESS deliveries');
    const lines = logsOf(id);
    expect(lines.filter((l) => l['message'] === 'Metadata recorded')).toHaveLength(1);
    expect(lines.filter((l) => l['message'] === 'Thumbnails recorded')).toHaveLength(1);
    // The status message is delivered twice to notify too: the user is still told once.
    expect(await settledNotifications(id)).toHaveLength(1);
  });

  it('given a duplicate that runs out of receives while the other delivery is still working, then the file ends READY, never FAILED', async () => {
    const { id, realtime } = await uploadSubscribed('slow-twice.jpg', await jpeg(), 'slow', (fileId) => duplicated.add(fileId));
    try {
      expect((await finished(id)).status).toBe('READY');
      // The duplicate's receives, its dead letter and that queue's handler may end after READY.
      const deadLetters = await until(() => {
        const handled = logsOf(id).filter((l) => l['message'] === 'Dead letter handled' && l['step'] === 'PROCESS');
        return handled.length > 0 ? handled : undefined;
      }, 'the duplicate handled as a dead letter');
      expect(deadLetters.map((l) => (l['outcome'] as Json)['reason'])).not.toContain(undefined);
      expect(logsOf(id).filter((l) => l['message'] === 'Metadata recorded')).toHaveLength(1);
      await realtime.until(() => events(realtime, 'slow').find((e) => e.status === 'READY'), 20_000, 'READY');
      expect(events(realtime, 'slow').map((e) => e.status)).not.toContain('FAILED');
    } finally {
      realtime.close();
    }
  });

  it('given DynamoDB throttling on every first UpdateItem, when several files are uploaded at once, then every one is READY', async () => {
    const uploads = await Promise.all([1, 2, 3].map(async (n) => upload(`throttled-${n}.jpg`, await jpeg(100 + n, 80))));
    const results = await Promise.all(uploads.map(({ id }) => finished(id)));
    expect(results.map((r) => r.status)).toEqual(['READY', 'READY', 'READY']);
    expect(logs().filter((l) => l['fault'] === 'dynamodb-throttle').length).toBeGreaterThan(0);
  });

  it('given the thumbnail subscriber always failing, then PROCESS still records the metadata and notify still announces FAILED', async () => {
    const { id, realtime } = await uploadSubscribed('always-thumbnail-a.jpg', await jpeg(300, 200), 'thumb');
    try {
      const failed = await finished(id);
      expect(failed).toMatchObject({ status: 'FAILED', width: 300, format: 'jpeg', error: { code: 'RETRIES_EXHAUSTED', step: 'THUMBNAIL' } });
      await realtime.until(() => events(realtime, 'thumb').find((e) => e.status === 'FAILED'), 20_000, 'FAILED');
      expect(events(realtime, 'thumb').filter((e) => e.status === 'FAILED')).toEqual([expect.objectContaining({ step: 'THUMBNAIL' })]);
    } finally {
      realtime.close();
    }
  });

  it("given two subscribers of one file, when one's socket drops after two events, then the other gets every event and file(id) shows READY", async () => {
    const subscribers: RealtimeClient[] = [];
    const { id } = await upload('two-subscribers.jpg', await jpeg(), {
      before: async (fileId) => {
        subscribers.push(await subscribe(fileId, 'a'), await subscribe(fileId, 'b'));
      },
    });
    const [dropped, kept] = subscribers;
    if (dropped === undefined || kept === undefined) throw new Error('not subscribed');
    try {
      await dropped.until(() => (events(dropped, 'a').length >= 2 ? true : undefined), 30_000, 'two events');
      dropped.socket.terminate();
      const received = events(dropped, 'a').map(({ status, step, message }) => ({ status, step, message }));
      await kept.until(() => events(kept, 'b').find((e) => e.status === 'READY'), 30_000, 'READY');
      await new Promise((resolve) => setTimeout(resolve, 1000)); // nothing may follow READY
      const all = events(kept, 'b').map(({ status, step, message }) => ({ status, step, message }));
      // Every event of a good upload (docs/pipeline.md), each once: each step's `started` before
      // its `completed` (the two steps run side by side, so they interleave), then one READY.
      expect(all).toHaveLength(5);
      const processing = all.slice(0, 4);
      expect(processing.every((e) => e.status === 'PROCESSING')).toBe(true);
      expect(processing.map((e) => `${e.step} ${e.message}`).sort()).toEqual(['PROCESS completed', 'PROCESS started', 'THUMBNAIL completed', 'THUMBNAIL started']);
      for (const step of ['PROCESS', 'THUMBNAIL']) {
        const at = (message: string) => processing.findIndex((e) => e.step === step && e.message === message);
        expect(at('started'), step).toBeLessThan(at('completed'));
      }
      expect(all[4]).toEqual({ status: 'READY', step: 'NOTIFY', message: null });
      // What the dropped socket got before it went is where the kept one's list begins.
      expect(received.length).toBeGreaterThanOrEqual(2);
      expect(all.slice(0, received.length)).toEqual(received);
      expect((await file(id))?.status).toBe('READY');
    } finally {
      kept.close();
    }
  });
});

describe('bad files', () => {
  const rejected = async (id: string, code: string) => {
    const done = await finished(id);
    expect(done).toMatchObject({ status: 'FAILED', error: { code } });
    // Copied before the file says FAILED; removed from uploads/ right after.
    expect(await exists(`quarantine/${owner}/${id}`)).toBe(true);
    await until(async () => ((await exists(`uploads/${owner}/${id}`)) ? undefined : true), 'the original to leave uploads/');
    expect(done.thumbnails).toEqual([]);
  };

  it.each([
    ['HTML', Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>')],
    ['PHP', Buffer.from("<?php system($_GET['c']); ?>\n")],
  ])('given %s bytes sent as image/jpeg, then FAILED with UNSUPPORTED_TYPE, the original in quarantine', async (_kind, bytes) => {
    const { id } = await upload('not-an-image.jpg', bytes);
    await rejected(id, 'UNSUPPORTED_TYPE');
  });

  it('given an SVG with a script (declared PNG), then FAILED with UNSUPPORTED_TYPE', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9" height="9"/></svg>');
    const { id } = await upload('x.png', svg, { contentType: 'image/png' });
    await rejected(id, 'UNSUPPORTED_TYPE');
  });

  it('given a 14000x14000 PNG of about 600 KB, then FAILED with TOO_MANY_PIXELS from its header, never decoded', async () => {
    const png = await pixelBombPng(14_000, 14_000);
    expect(png.length).toBeLessThan(1_000_000);
    const { id } = await upload('huge.png', png, { contentType: 'image/png' });
    await rejected(id, 'TOO_MANY_PIXELS');
    expect(logsOf(id).some((l) => l['message'] === 'Metadata recorded' || l['message'] === 'Thumbnails recorded')).toBe(false);
  });

  it('given a truncated JPEG, then FAILED with CORRUPT_IMAGE', async () => {
    const whole = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#123456' } }).jpeg({ quality: 95 }).toBuffer();
    const { id } = await upload('cut.jpg', whole.subarray(0, Math.floor(whole.length / 2)));
    await rejected(id, 'CORRUPT_IMAGE');
  });

  it('given a zero-byte object (put by a credential holder; the signed URL refuses it), then FAILED with EMPTY_FILE', async () => {
    const { id } = await upload('empty.jpg', Buffer.alloc(0), { declaredSize: 100, putAs: 'operator' });
    await rejected(id, 'EMPTY_FILE');
  });

  it('given more bytes than declared (put by a credential holder), then FAILED with SIZE_MISMATCH', async () => {
    const bytes = await jpeg();
    const { id } = await upload('longer.jpg', bytes, { declaredSize: bytes.length - 100, putAs: 'operator' });
    await rejected(id, 'SIZE_MISMATCH');
  });

  it('given a JPEG with EXIF GPS, then READY and no thumbnail carries EXIF', async () => {
    const bytes = await sharp({ create: { width: 500, height: 400, channels: 3, background: '#445566' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Phone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .toBuffer();
    const { id } = await upload('gps.jpg', bytes);
    const ready = await finished(id);
    expect(ready.status).toBe('READY');
    expect(ready.thumbnails.length).toBe(4);
    for (const thumbnail of ready.thumbnails) {
      const metadata = await sharp(Buffer.from(await (await fetch(thumbnail.url)).arrayBuffer())).metadata();
      expect(metadata.exif).toBeUndefined();
    }
  });
});

describe('thumbnails', () => {
  it('given a 1600x1200 JPEG, then the 800-wide thumbnails are 800x600 and the cover crops 200x200, as the API says and in their bytes', async () => {
    const { id } = await upload('wide.jpg', await makeJpeg(1600, 1200));
    const ready = await finished(id);
    expect(ready.status).toBe('READY');
    const sizes = ready.thumbnails.map((t) => `${t.width}x${t.height} ${t.format}`).sort();
    expect(sizes).toEqual(['200x200 jpeg', '200x200 webp', '800x600 jpeg', '800x600 webp']);
    for (const thumbnail of ready.thumbnails) {
      const response = await fetch(thumbnail.url);
      expect(response.status).toBe(200);
      const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect({ width: metadata.width, height: metadata.height, format: metadata.format }).toEqual({
        width: thumbnail.width,
        height: thumbnail.height,
        format: thumbnail.format,
      });
    }
  });
});

describe('operations', () => {
  it('given a READY upload, then the notify adapter sends exactly one notification for it (locally the SNS stand-in logs it)', async () => {
    const fileName = `notified-${randomUUID()}.jpg`;
    const { id } = await upload(fileName, await jpeg());
    expect((await finished(id)).status).toBe('READY');
    const notifications = await settledNotifications(id);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      subject: 'Your file is ready',
      message: `Your file "${fileName}" is ready.`,
      attributes: { status: 'READY', owner },
    });
  });

  it("given alice's READY file, when another user reprocesses it, then the same error as for a missing file and nothing changes", async () => {
    const { id } = await upload('not-yours.jpg', await jpeg());
    expect((await finished(id)).status).toBe('READY');
    const state = async () => {
      const response = await graphql(stack.graphqlUrl, credentials(), FileDocument, { id });
      const { thumbnails, ...rest } = response.data!.file!;
      // Thumbnail URLs are signed per request; what they point at is what must not change.
      return { ...rest, thumbnails: (thumbnails as Json[]).map(({ url, ...t }) => ({ ...t, path: new URL(String(url)).pathname })) };
    };
    // notify writes to the record after the file is READY (it records the announcement), and logs
    // this line once that write is done.
    await until(() => (logsOf(id).some((l) => l['message'] === 'File status announced') ? true : undefined), 'the announcement recorded');
    const before = await state();
    const original = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `uploads/${owner}/${id}` }));

    const other = await stack.issueTokens('reprocess-intruder');
    const reprocess = (fileId: string) => graphql(stack.graphqlUrl, { kind: 'userPool', token: other.idToken }, ReprocessFileDocument, { id: fileId });
    const foreign = await reprocess(id);
    const missingId = randomUUID();
    const missing = await reprocess(missingId);
    expect(foreign.data?.reprocessFile ?? null).toBeNull();
    expect(missing.errors?.[0]?.errorType).toBe('NotFoundError');
    expect({ errorType: foreign.errors?.[0]?.errorType, message: foreign.errors?.[0]?.message?.replace(id, '<id>') }).toEqual({
      errorType: missing.errors?.[0]?.errorType,
      message: missing.errors?.[0]?.message?.replace(missingId, '<id>'),
    });

    // Nothing ran again: no second metadata write, the record and the original are untouched.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(logsOf(id).filter((l) => l['message'] === 'Metadata recorded')).toHaveLength(1);
    expect(await state()).toEqual(before);
    const after = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `uploads/${owner}/${id}` }));
    expect({ etag: after.ETag, modified: after.LastModified, metadata: after.Metadata }).toEqual({
      etag: original.ETag,
      modified: original.LastModified,
      metadata: original.Metadata,
    });
  });

  it('given an upload, then every pipeline log line about it carries the correlation id of the createUpload request', async () => {
    const { id, correlationId } = await upload('traced.jpg', await jpeg());
    expect(correlationId).toMatch(/[0-9a-f-]{36}/);
    await finished(id);
    await until(() => (logsOf(id).some((l) => l['service'] === 'notify') ? true : undefined), 'the notify function');
    const lines = logsOf(id).filter((l) => typeof l['service'] === 'string' && l['level'] !== undefined);
    expect(new Set(lines.map((l) => l['service']))).toEqual(new Set(['process-upload', 'make-thumbnails', 'notify']));
    for (const line of lines) expect(line['correlation_id'], JSON.stringify(line)).toBe(correlationId);
  });

  it('given a READY file, when its owner reprocesses it, then it runs again to READY; when deleted, then the record and every object are gone', async () => {
    const { id } = await upload('again.jpg', await jpeg());
    const first = await finished(id);
    const reprocessed = await graphql(stack.graphqlUrl, credentials(), ReprocessFileDocument, { id });
    expect(reprocessed.data?.reprocessFile.status).toBe('PROCESSING');
    await until(() => (logsOf(id).filter((l) => l['message'] === 'Metadata recorded').length === 2 ? true : undefined), 'the second run');
    expect((await finished(id)).status).toBe('READY');

    const other = await stack.issueTokens('someone-else');
    const foreign = await graphql(stack.graphqlUrl, { kind: 'userPool', token: other.idToken }, DeleteFileDocument, { id });
    expect(foreign.errors?.[0]?.errorType).toBe('NotFoundError');

    const deleted = await graphql(stack.graphqlUrl, credentials(), DeleteFileDocument, { id });
    expect(deleted.data?.deleteFile).toBe(id);
    expect(await file(id)).toBeNull();
    const keys = [`uploads/${owner}/${id}`, ...first.thumbnails.map((t) => new URL(t.url).pathname.split('/').slice(2).join('/'))];
    for (const key of keys) expect(await exists(decodeURIComponent(key)), key).toBe(false);
  });

  it('given a step failing until an operator redrives, when the dead letter is redriven with the dlq command, then the file ends READY', async () => {
    const { id } = await upload('until-redrive-a.jpg', await jpeg());
    expect(await finished(id)).toMatchObject({ status: 'FAILED', error: { code: 'RETRIES_EXHAUSTED', step: 'THUMBNAIL' } });
    await until(async () => {
      await redrive(sqs, 'ThumbnailSubscriber');
      return (await file(id))?.status === 'READY' ? true : undefined;
    }, 'READY after redrive');
  });
});
