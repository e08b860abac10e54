import { beforeEach, describe, expect, it } from 'vitest';
import { thumbnailKey } from '../../../resolvers/files/keys.js';
import { UploadPipeline } from '../../../resolvers/files/upload-pipeline.js';
import { processS3Event } from '../../../resolvers/pipeline/s3-upload-events.js';
import {
  FixedClock,
  InMemoryFileRepository,
  InMemoryObjectStore,
  MemoryLog,
  RecordingPublisher,
} from './helpers/fakes.js';
import { OWNER, pendingRecord, s3Event } from './helpers/factories.js';
import * as images from './helpers/images.js';

const ID = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';

describe('UploadPipeline', () => {
  let repository: InMemoryFileRepository;
  let objectStore: InMemoryObjectStore;
  let publisher: RecordingPublisher;
  let clock: FixedClock;
  let log: MemoryLog;
  let pipeline: UploadPipeline;

  beforeEach(() => {
    repository = new InMemoryFileRepository();
    objectStore = new InMemoryObjectStore();
    publisher = new RecordingPublisher();
    clock = new FixedClock();
    log = new MemoryLog();
    pipeline = new UploadPipeline({ repository, objectStore, publisher, clock, log });
  });

  async function givenUploaded(bytes: Uint8Array, declaredSize = bytes.length, contentType = 'image/jpeg') {
    const record = pendingRecord({ id: ID, size: declaredSize, contentType });
    await repository.create(record);
    objectStore.objects.set(record.objectKey, { body: bytes, contentType });
    clock.advance(1000);
    return record;
  }

  it('given an uploaded JPEG, when processed, then READY with dimensions, hash, a stored 200x200 thumbnail and PROCESSING then READY events', async () => {
    const bytes = await images.jpeg(64, 48);
    const record = await givenUploaded(bytes);

    const outcome = await pipeline.process(record.objectKey);

    expect(outcome).toEqual({ outcome: 'READY', fileId: ID });
    const stored = await repository.get(ID);
    expect(stored).toMatchObject({
      status: 'READY',
      width: 64,
      height: 48,
      format: 'jpeg',
      error: null,
      thumbnails: [{ key: thumbnailKey(OWNER, ID), width: 200, height: 200, format: 'jpeg' }],
      updatedAt: '2025-01-02T03:04:06.678Z',
    });
    expect(stored?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(objectStore.objects.get(thumbnailKey(OWNER, ID))?.contentType).toBe('image/jpeg');
    expect(publisher.events).toEqual([
      { fileId: ID, owner: OWNER, status: 'PROCESSING', step: 'PROCESS', message: null },
      { fileId: ID, owner: OWNER, status: 'READY', step: 'PROCESS', message: null },
    ]);
  });

  it('given a text file declared as image/jpeg, when processed, then FAILED with UNSUPPORTED_TYPE and a FAILED event carrying the message', async () => {
    const record = await givenUploaded(images.text);

    const outcome = await pipeline.process(record.objectKey);

    expect(outcome).toEqual({ outcome: 'FAILED', fileId: ID, code: 'UNSUPPORTED_TYPE' });
    const stored = await repository.get(ID);
    expect(stored?.status).toBe('FAILED');
    expect(stored?.error).toEqual({
      code: 'UNSUPPORTED_TYPE',
      message: 'The file is not an image of a supported type.',
      step: 'PROCESS',
    });
    expect(stored?.thumbnails).toEqual([]);
    expect(objectStore.objects.has(thumbnailKey(OWNER, ID))).toBe(false);
    expect(publisher.events.map((e) => e.status)).toEqual(['PROCESSING', 'FAILED']);
    expect(publisher.events[1]?.message).toBe('The file is not an image of a supported type.');
  });

  it('given an upload larger than declared, when processed, then FAILED with SIZE_MISMATCH', async () => {
    const bytes = await images.png();
    const record = await givenUploaded(bytes, bytes.length - 1, 'image/png');
    expect(await pipeline.process(record.objectKey)).toMatchObject({ outcome: 'FAILED', code: 'SIZE_MISMATCH' });
  });

  it('given a file already READY, when its event arrives again, then nothing changes and nothing is published', async () => {
    const record = await givenUploaded(await images.jpeg());
    await pipeline.process(record.objectKey);
    const before = await repository.get(ID);
    publisher.events.length = 0;

    const outcome = await pipeline.process(record.objectKey);

    expect(outcome).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' });
    expect(await repository.get(ID)).toEqual(before);
    expect(publisher.events).toEqual([]);
  });

  it('given a file already FAILED, when its event arrives again, then it stays FAILED', async () => {
    const record = await givenUploaded(images.html);
    await pipeline.process(record.objectKey);
    objectStore.objects.set(record.objectKey, { body: await images.jpeg(), contentType: 'image/jpeg' });

    expect(await pipeline.process(record.objectKey)).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' });
    expect((await repository.get(ID))?.status).toBe('FAILED');
  });

  it('given a transient storage error, when processed, then it is rethrown, the file stays PROCESSING, and a retry finishes it', async () => {
    const record = await givenUploaded(await images.jpeg());
    objectStore.failGetWith = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });

    await expect(pipeline.process(record.objectKey)).rejects.toThrow('socket hang up');
    expect((await repository.get(ID))?.status).toBe('PROCESSING');

    objectStore.failGetWith = null;
    expect(await pipeline.process(record.objectKey)).toEqual({ outcome: 'READY', fileId: ID });
  });

  it('given the publisher is down, when processed, then the file still ends READY and the failure is logged', async () => {
    const record = await givenUploaded(await images.jpeg());
    publisher.failWith = new Error('AppSync unavailable');

    expect(await pipeline.process(record.objectKey)).toEqual({ outcome: 'READY', fileId: ID });
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(2);
  });

  it('given a key with no record, when processed, then it is skipped without events', async () => {
    expect(await pipeline.process(`uploads/${OWNER}/${ID}`)).toEqual({ outcome: 'SKIPPED', reason: 'UNKNOWN_FILE' });
    expect(publisher.events).toEqual([]);
  });

  it("given a key naming another owner than the record's, when processed, then it is skipped and the record untouched", async () => {
    await givenUploaded(await images.jpeg());
    expect(await pipeline.process(`uploads/someone-else/${ID}`)).toEqual({
      outcome: 'SKIPPED',
      reason: 'OWNER_MISMATCH',
    });
    expect((await repository.get(ID))?.status).toBe('PENDING_UPLOAD');
  });

  it('given a thumbnail key (the pipeline writes those), when processed, then it is ignored', async () => {
    expect(await pipeline.process(thumbnailKey(OWNER, ID))).toEqual({ outcome: 'SKIPPED', reason: 'NOT_AN_UPLOAD' });
  });

  describe('processS3Event', () => {
    it('given an S3 event with an encoded key, when run, then the decoded key is processed', async () => {
      const owner = 'user 1';
      const record = pendingRecord({ id: ID, owner, objectKey: `uploads/${owner}/${ID}` });
      const bytes = await images.jpeg();
      await repository.create({ ...record, size: bytes.length });
      objectStore.objects.set(record.objectKey, { body: bytes, contentType: 'image/jpeg' });

      const outcomes = await processS3Event(s3Event('uploads-bucket', `uploads/user+1/${ID}`), {
        pipeline,
        bucket: 'uploads-bucket',
        log,
      });

      expect(outcomes).toEqual([{ outcome: 'READY', fileId: ID }]);
    });

    it('given an event of another bucket, when run, then nothing is processed', async () => {
      await givenUploaded(await images.jpeg());
      const outcomes = await processS3Event(s3Event('other-bucket', `uploads/${OWNER}/${ID}`), {
        pipeline,
        bucket: 'uploads-bucket',
        log,
      });
      expect(outcomes).toEqual([]);
      expect((await repository.get(ID))?.status).toBe('PENDING_UPLOAD');
    });

    it('given two records and a transient error on the first, when run, then the second is still processed and the error rethrown', async () => {
      const other = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
      await givenUploaded(await images.jpeg());
      const bytes = await images.png();
      const second = pendingRecord({ id: other, size: bytes.length, contentType: 'image/png' });
      await repository.create(second);
      objectStore.objects.set(second.objectKey, { body: bytes, contentType: 'image/png' });
      const failingFirst = new UploadPipeline({
        repository,
        objectStore: {
          ...objectStore,
          presignPut: (r) => objectStore.presignPut(r),
          presignGet: (k, s) => objectStore.presignGet(k, s),
          putObject: (r) => objectStore.putObject(r),
          getObject: (key, o) =>
            key.endsWith(ID) ? Promise.reject(new Error('ThrottlingException')) : objectStore.getObject(key, o),
        },
        publisher,
        clock,
        log,
      });

      await expect(
        processS3Event(s3Event('uploads-bucket', `uploads/${OWNER}/${ID}`, `uploads/${OWNER}/${other}`), {
          pipeline: failingFirst,
          bucket: 'uploads-bucket',
          log,
        }),
      ).rejects.toThrow('ThrottlingException');
      expect((await repository.get(other))?.status).toBe('READY');
    });
  });
});
