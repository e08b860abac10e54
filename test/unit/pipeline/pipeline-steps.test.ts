import sharp from 'sharp';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { originalKey, quarantineKey } from '../../../resolvers/files/domain/keys.js';
import { Notifier } from '../../../resolvers/files/domain/notifier.js';
import { inspectImage } from '../../../resolvers/files/domain/image-inspection.js';
import { DeadLetterSteps } from '../../../resolvers/files/domain/dead-letter-steps.js';
import { type ObjectRef, type StepContext, compareSequencers } from '../../../resolvers/files/domain/pipeline-runs.js';
import { type ImageFunctions, PipelineSteps } from '../../../resolvers/files/domain/pipeline-steps.js';
import { InjectedFault } from '../../../local/faults/rules.js';
import { OWNER, pendingRecord } from '../resolvers/helpers/factories.js';
import {
  FixedClock,
  MemoryLog,
  RecordingNotifications,
  RecordingPublisher,
  RecordingStatusPublisher,
} from '../resolvers/helpers/fakes.js';
import * as images from '../resolvers/helpers/images.js';
import { AnnouncingFileRepository, CountingObjectStore } from './fakes.js';

const ID = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';
const KEY = originalKey(OWNER, ID);
const ref: ObjectRef = { bucket: 'uploads', key: KEY, sequencer: '0055AED6DCD90281E5', versionId: null };

describe('the pipeline steps, over in-memory ports', () => {
  let repository: AnnouncingFileRepository;
  let store: CountingObjectStore;
  let events: RecordingPublisher;
  let status: RecordingStatusPublisher;
  let log: MemoryLog;
  const clock = new FixedClock();
  const steps = (imageFunctions?: Partial<ImageFunctions>) =>
    new PipelineSteps({
      images: imageFunctions,
      repository,
      objectStore: store,
      events,
      status,
      clock,
      thumbnails: { sizes: [{ width: 200, height: 200 }, { width: 800, height: null }], formats: ['jpeg', 'webp'] },
    });
  const deadLetters = (stepTimeoutMs?: number) => new DeadLetterSteps({ repository, status, clock, stepTimeoutMs });
  /** The step's read of the original fails (where the local stack injects a step-error fault): a transient failure. */
  const failingRead = () => {
    store.failGetWith = new InjectedFault('Injected fault in THUMBNAIL (receive 1)');
  };
  const context = (): StepContext => ({ log });

  async function upload(bytes: Uint8Array, overrides: { fileName?: string; size?: number } = {}) {
    await repository.create(pendingRecord({ id: ID, size: overrides.size ?? bytes.length, fileName: overrides.fileName ?? 'a.jpg' }));
    await store.putObject({ key: KEY, body: bytes, contentType: 'image/jpeg' });
  }

  beforeEach(() => {
    repository = new AnnouncingFileRepository();
    store = new CountingObjectStore();
    events = new RecordingPublisher();
    status = new RecordingStatusPublisher();
    log = new MemoryLog();
  });

  it('given a JPEG, when PROCESS then THUMBNAIL run, then READY once, with metadata, four thumbnails and one READY announcement', async () => {
    await upload(await images.jpeg(640, 480));

    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });
    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'READY', fileId: ID });

    const record = await repository.get(ID);
    expect(record).toMatchObject({ status: 'READY', width: 640, height: 480, format: 'jpeg', sequencer: ref.sequencer });
    expect(record?.thumbnails.map((t) => [t.width, t.height, t.format])).toEqual([
      [200, 200, 'jpeg'],
      [200, 200, 'webp'],
      [640, 480, 'jpeg'],
      [640, 480, 'webp'],
    ]);
    expect(status.messages.map((m) => m.status)).toEqual(['READY']);
    expect(events.events.map((e) => `${e.step}:${e.message}`)).toEqual([
      'PROCESS:started',
      'PROCESS:completed',
      'THUMBNAIL:started',
      'THUMBNAIL:completed',
    ]);
  });

  it('given a finished file, when both events are delivered again, then nothing is written and the status is re-announced for notify to drop', async () => {
    await upload(await images.png());
    await steps().run('PROCESS', ref, context());
    await steps().run('THUMBNAIL', ref, context());
    const writes = repository.writes.length;
    const puts = store.puts.length;

    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });
    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });

    expect(repository.writes.length).toBe(writes);
    expect(store.puts.length).toBe(puts);
    expect(status.messages.map((m) => m.status)).toEqual(['READY', 'READY', 'READY']);
  });

  it('given a step that throws once (injected), when retried, then READY with one set of thumbnails and one "started" event', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());

    failingRead();
    await expect(steps().run('THUMBNAIL', ref, context())).rejects.toMatchObject({ name: 'InjectedFault' });
    expect((await repository.get(ID))?.steps.THUMBNAIL?.lastError).toMatchObject({ name: 'InjectedFault' });
    store.failGetWith = null;
    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'READY', fileId: ID });

    expect(repository.writes.filter((w) => w.startsWith('complete:THUMBNAIL'))).toHaveLength(1);
    expect(events.events.filter((e) => e.step === 'THUMBNAIL' && e.message === 'started')).toHaveLength(1);
  });

  it.each([
    ['HTML bytes', 'UNSUPPORTED_TYPE', images.html],
    ['an SVG', 'UNSUPPORTED_TYPE', images.svg],
    ['a zero-byte file', 'EMPTY_FILE', new Uint8Array()],
  ])('given %s, when PROCESS runs, then FAILED with %s at once, the original in quarantine, one FAILED announcement', async (_what, code, bytes) => {
    await upload(bytes, { size: Math.max(1, bytes.length) });

    expect(await steps().run('PROCESS', ref, context())).toMatchObject({ outcome: 'FAILED', code });

    expect(await repository.get(ID)).toMatchObject({ status: 'FAILED', error: { code, step: 'PROCESS' }, quarantineKey: quarantineKey(OWNER, ID) });
    expect(store.objects.has(KEY)).toBe(false);
    expect(store.objects.has(quarantineKey(OWNER, ID))).toBe(true);
    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });
    expect(store.copies).toHaveLength(1);
    // Re-announcements repeat the same status of the same run; notify delivers it once.
    expect(new Set(status.messages.map((m) => `${m.status}#${m.sequencer}`))).toEqual(new Set([`FAILED#${ref.sequencer}`]));
  });

  it('given a file both steps reject, when THUMBNAIL rejects it after PROCESS failed it, then the original is copied to quarantine once', async () => {
    await upload(images.html);
    let thumbnailInspecting!: () => void;
    const inspecting = new Promise<void>((resolve) => (thumbnailInspecting = resolve));
    let processFinished!: () => void;
    const finished = new Promise<void>((resolve) => (processFinished = resolve));
    // THUMBNAIL has begun and read the bytes; its checks end only once PROCESS has failed the file.
    const heldThumbnail = steps({
      inspect: async (bytes, size) => {
        thumbnailInspecting();
        await finished;
        return inspectImage(bytes, size);
      },
    }).run('THUMBNAIL', ref, context());
    await inspecting;

    expect(await steps().run('PROCESS', ref, context())).toMatchObject({ outcome: 'FAILED', code: 'UNSUPPORTED_TYPE' });
    processFinished();
    expect(await heldThumbnail).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });

    expect(store.copies).toEqual([{ from: KEY, to: quarantineKey(OWNER, ID) }]);
    expect(await repository.get(ID)).toMatchObject({ status: 'FAILED', error: { code: 'UNSUPPORTED_TYPE', step: 'PROCESS' }, quarantineKey: quarantineKey(OWNER, ID) });
    expect(store.objects.has(quarantineKey(OWNER, ID))).toBe(true);
    expect(store.objects.has(KEY)).toBe(false);
  });

  it('given a rejection whose FAILED write fails after the quarantine copy, when retried, then the original is not copied again and the file ends FAILED', async () => {
    await upload(images.html);
    repository.failures.markFailed = [Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' })];

    await expect(steps().run('PROCESS', ref, context())).rejects.toThrow('Throughput exceeded');
    expect(store.copies).toHaveLength(1);
    expect(await steps().run('PROCESS', ref, context())).toMatchObject({ outcome: 'FAILED', code: 'UNSUPPORTED_TYPE' });

    expect(store.copies).toHaveLength(1);
    expect(await repository.get(ID)).toMatchObject({ status: 'FAILED', quarantineKey: quarantineKey(OWNER, ID) });
    expect(store.objects.has(quarantineKey(OWNER, ID))).toBe(true);
    expect(store.objects.has(KEY)).toBe(false);
  });

  it('given more bytes than declared, when PROCESS runs, then FAILED with SIZE_MISMATCH', async () => {
    const bytes = await images.jpeg();
    await upload(bytes, { size: bytes.length - 10 });
    expect(await steps().run('PROCESS', ref, context())).toMatchObject({ outcome: 'FAILED', code: 'SIZE_MISMATCH' });
  });

  it('given a JPEG with EXIF GPS, when processed, then neither the sanitized copy nor any thumbnail has EXIF', async () => {
    const bytes = new Uint8Array(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
        .jpeg()
        .withExif({ IFD0: { Make: 'Test' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
        .toBuffer(),
    );
    expect((await sharp(bytes).metadata()).exif).toBeDefined();
    await upload(bytes);
    await steps().run('PROCESS', ref, context());
    await steps().run('THUMBNAIL', ref, context());

    const record = await repository.get(ID);
    for (const key of [record!.sanitizedKey!, ...record!.thumbnails.map((t) => t.key)]) {
      expect((await sharp(store.objects.get(key)!.body).metadata()).exif, key).toBeUndefined();
    }
  });

  it('given THUMBNAIL out of retries (a dead letter), then FAILED with RETRIES_EXHAUSTED and its last error, once; PROCESS still completed', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());
    failingRead();
    await expect(steps().run('THUMBNAIL', ref, context())).rejects.toThrow();

    const outcome = await deadLetters().deadLetter('THUMBNAIL', ref, context());
    // A dead letter of the other step (a duplicate PROCESS delivery) meets the finished file.
    const other = await deadLetters().deadLetter('PROCESS', ref, context());

    expect(outcome).toEqual({ outcome: 'FAILED', fileId: ID, code: 'RETRIES_EXHAUSTED' });
    expect(other).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });
    const record = await repository.get(ID);
    expect(record).toMatchObject({ status: 'FAILED', width: 64, error: { code: 'RETRIES_EXHAUSTED', step: 'THUMBNAIL' } });
    expect(record?.error?.message).toContain('InjectedFault');
    expect(status.messages.map((m) => `${m.status}#${m.sequencer}`)).toEqual([`FAILED#${ref.sequencer}`]);
  });

  it('given a duplicate delivery dead-lettered after the other one completed the step, then the file is not failed', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());

    expect(await deadLetters().deadLetter('PROCESS', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'COMPLETED' });
    expect(await repository.get(ID)).toMatchObject({ status: 'PROCESSING', error: null });
    expect(status.messages).toEqual([]);
  });

  it('given a step another delivery began and is still running, when a dead letter of it is seen, then it waits until the step could have timed out', async () => {
    await upload(await images.jpeg());
    await repository.beginStep(ID, 'PROCESS', ref.sequencer, clock.now().toISOString());
    const withTimeout = () => deadLetters(30_000);

    clock.advance(29_000);
    expect(await withTimeout().deadLetter('PROCESS', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'IN_PROGRESS' });
    expect((await repository.get(ID))?.status).toBe('PROCESSING');

    clock.advance(2_000);
    expect(await withTimeout().deadLetter('PROCESS', ref, context())).toEqual({ outcome: 'FAILED', fileId: ID, code: 'RETRIES_EXHAUSTED' });
  });

  it('given a dead-lettered step, when its message is redriven, then the step reopens and the file ends READY', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());
    // Began long ago and never finished: a crashed delivery.
    await repository.beginStep(ID, 'THUMBNAIL', ref.sequencer, new Date(clock.now().getTime() - 3_600_000).toISOString());
    await deadLetters().deadLetter('THUMBNAIL', ref, context());

    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'READY', fileId: ID });
    expect((await repository.get(ID))?.error).toBeNull();
  });

  it('given an upload with no file record (a ticket used after deleteFile), when PROCESS runs, then that version is removed; THUMBNAIL leaves it to PROCESS', async () => {
    await store.putObject({ key: KEY, body: await images.jpeg(), contentType: 'image/jpeg' });
    const version = { ...ref, versionId: 'v-late' };

    expect(await steps().run('THUMBNAIL', version, context())).toEqual({ outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' });
    expect(store.versionDeletes).toEqual([]);
    expect(await steps().run('PROCESS', version, context())).toEqual({ outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' });

    expect(store.versionDeletes).toEqual([`${KEY}@v-late`]);
    expect(store.objects.has(KEY)).toBe(false);
  });

  it('given an event older than the run the file is in, when delivered, then it is ignored', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());
    const older = { ...ref, sequencer: '0055AED6DCD90281E4' };
    expect(await steps().run('THUMBNAIL', older, context())).toEqual({ outcome: 'SKIPPED', reason: 'STALE' });
    expect(compareSequencers('FF', '0100')).toBeLessThan(0);
  });

  it('given READY announced twice, when notify runs for both, then one READY event and one notification', async () => {
    await upload(await images.jpeg());
    await steps().run('PROCESS', ref, context());
    await steps().run('THUMBNAIL', ref, context());
    const notifications = new RecordingNotifications();
    const userEvents = new RecordingPublisher();
    const notifier = new Notifier({ repository, events: userEvents, notifications, clock });
    const [message] = status.messages;

    await notifier.notify(message!, { log });
    expect(await notifier.notify(message!, { log })).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_NOTIFIED' });

    expect(userEvents.events).toEqual([{ fileId: ID, owner: OWNER, status: 'READY', step: 'NOTIFY', message: null }]);
    expect(notifications.sent).toHaveLength(1);
  });

  it.each([
    ['PROCESS', 'THUMBNAIL'],
    ['THUMBNAIL', 'PROCESS'],
  ] as const)('given %s finishing first, when both steps run, then only %s (the second) calls markReady, once, and the file ends READY', async (first, second) => {
    await upload(await images.jpeg());
    const markReady = vi.spyOn(repository, 'markReady');

    expect(await steps().run(first, ref, context())).toEqual({ outcome: 'DONE', fileId: ID });
    expect(markReady).not.toHaveBeenCalled();
    expect(await steps().run(second, ref, context())).toEqual({ outcome: 'READY', fileId: ID });

    expect(markReady).toHaveBeenCalledTimes(1);
    expect(markReady).toHaveResolvedWith(true);
    expect((await repository.get(ID))?.status).toBe('READY');
    expect(status.messages.map((m) => m.status)).toEqual(['READY']);
  });

  it('given the last step completed by a delivery that stopped before markReady (a crash), when it is delivered again, then the file ends READY, announced once', async () => {
    await upload(await images.jpeg());
    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });
    // The crash: the THUMBNAIL delivery's markReady never runs.
    vi.spyOn(repository, 'markReady').mockResolvedValueOnce(false);
    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });
    expect((await repository.get(ID))?.status).toBe('PROCESSING');

    expect(await steps().run('THUMBNAIL', ref, context())).toEqual({ outcome: 'READY', fileId: ID });
    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'FINISHED' });

    expect((await repository.get(ID))?.status).toBe('READY');
    expect(status.messages.map((m) => m.status)).toEqual(['READY', 'READY']);
  });

  it('given one step done and the other still running, when the done one is delivered again, then it is a duplicate and the file stays PROCESSING', async () => {
    await upload(await images.jpeg());
    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });
    await repository.beginStep(ID, 'THUMBNAIL', ref.sequencer, clock.now().toISOString());

    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'SKIPPED', reason: 'DUPLICATE' });
    expect((await repository.get(ID))?.status).toBe('PROCESSING');
    expect(status.messages).toEqual([]);
  });

  it('given both steps running, when the first completes, then it does not call markReady even though the other began', async () => {
    await upload(await images.jpeg());
    await repository.beginStep(ID, 'THUMBNAIL', ref.sequencer, clock.now().toISOString());
    const markReady = vi.spyOn(repository, 'markReady');

    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });

    expect(markReady).not.toHaveBeenCalled();
    expect((await repository.get(ID))?.status).toBe('PROCESSING');
  });

  it('given the record the delivery read before (StepContext.record), when the step runs, then no get before beginStep, and the step completes', async () => {
    await upload(await images.jpeg());
    const record = await repository.get(ID);
    const get = vi.spyOn(repository, 'get');
    const beginStep = vi.spyOn(repository, 'beginStep');

    const withRecord: StepContext = { ...context(), record };
    expect(await steps().run('PROCESS', ref, withRecord)).toEqual({ outcome: 'DONE', fileId: ID });

    expect(beginStep).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
    expect((await repository.get(ID))?.steps.PROCESS?.status).toBe('DONE');
  });

  it('given no record in the context, when the step runs, then it reads the record once, before beginStep', async () => {
    await upload(await images.jpeg());
    const get = vi.spyOn(repository, 'get');
    const beginStep = vi.spyOn(repository, 'beginStep');

    expect(await steps().run('PROCESS', ref, context())).toEqual({ outcome: 'DONE', fileId: ID });

    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(ID);
    expect(get.mock.invocationCallOrder[0]).toBeLessThan(beginStep.mock.invocationCallOrder[0]!);
  });

  it('given a pre-read record that says none (null) or another owner\'s, when the step runs, then skipped with the same checks as a read, nothing begun or read', async () => {
    await upload(await images.jpeg());
    const record = (await repository.get(ID))!;
    const get = vi.spyOn(repository, 'get');
    const beginStep = vi.spyOn(repository, 'beginStep');

    expect(await steps().run('PROCESS', ref, { ...context(), record: null })).toEqual({ outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' });
    expect(await steps().run('PROCESS', ref, { ...context(), record: { ...record, owner: 'someone-else' } })).toEqual({
      outcome: 'SKIPPED',
      reason: 'OWNER_MISMATCH',
    });

    expect(get).not.toHaveBeenCalled();
    expect(beginStep).not.toHaveBeenCalled();
  });
});
