import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoDbFileRepository } from '../../resolvers/adapters/dynamodb-file-repository.js';
import { S3ObjectStore } from '../../resolvers/adapters/s3-object-store.js';
import { FilesService } from '../../resolvers/files/files-service.js';
import { thumbnailKey } from '../../resolvers/files/keys.js';
import { systemClock } from '../../resolvers/files/ports.js';
import { UploadPipeline } from '../../resolvers/files/upload-pipeline.js';
import { MemoryLog, RecordingPublisher } from '../unit/resolvers/helpers/fakes.js';
import * as images from '../unit/resolvers/helpers/images.js';
import { createFilesTable, documentClient, dynamoClient, s3Client } from './helpers.js';

describe('upload pipeline with DynamoDB Local and s3rver', () => {
  let service: FilesService;
  let pipeline: UploadPipeline;
  let store: S3ObjectStore;
  let publisher: RecordingPublisher;
  const owner = `user-${randomUUID()}`;

  beforeAll(async () => {
    const repository = new DynamoDbFileRepository({
      client: documentClient(),
      tableName: await createFilesTable(dynamoClient()),
    });
    store = new S3ObjectStore({ client: s3Client(), bucket: inject('uploadsBucket') });
    publisher = new RecordingPublisher();
    service = new FilesService({ repository, objectStore: store, clock: systemClock, ticketTtlSeconds: 900 });
    pipeline = new UploadPipeline({ repository, objectStore: store, publisher, clock: systemClock, log: new MemoryLog() });
  });

  /** createUpload, then the client's PUT with every header of the ticket. */
  async function upload(bytes: Uint8Array, contentType: string) {
    const ticket = await service.createUpload(owner, { fileName: 'photo', contentType, size: bytes.length });
    const headers = JSON.parse(ticket.uploadHeaders ?? '{}') as Record<string, string>;
    const put = await fetch(ticket.uploadUrl, { method: 'PUT', headers, body: bytes });
    expect(put.status).toBe(200);
    return ticket.file.id;
  }

  it('given a real JPEG uploaded through a ticket, when processed, then READY with a 200x200 thumbnail stored and signed', async () => {
    const bytes = await images.jpeg(320, 240);
    const id = await upload(bytes, 'image/jpeg');

    const outcome = await pipeline.process(`uploads/${owner}/${id}`);

    expect(outcome).toEqual({ outcome: 'READY', fileId: id });
    const file = await service.getFile(owner, id);
    expect(file).toMatchObject({ status: 'READY', width: 320, height: 240, format: 'jpeg', error: null });
    const thumbnail = await store.getObject(thumbnailKey(owner, id), { maxBytes: 1_000_000 });
    expect(await sharp(thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 200 });
    const url = file?.thumbnails[0]?.url ?? '';
    const viaUrl = await fetch(url);
    expect(viaUrl.status).toBe(200);
    expect(Buffer.from(await viaUrl.arrayBuffer())).toEqual(Buffer.from(thumbnail));
    expect(publisher.events.filter((e) => e.fileId === id).map((e) => e.status)).toEqual(['PROCESSING', 'READY']);
  });

  it('given a text file uploaded as image/jpeg, when processed, then FAILED with UNSUPPORTED_TYPE and no thumbnail', async () => {
    const id = await upload(images.text, 'image/jpeg');

    const outcome = await pipeline.process(`uploads/${owner}/${id}`);

    expect(outcome).toEqual({ outcome: 'FAILED', fileId: id, code: 'UNSUPPORTED_TYPE' });
    const file = await service.getFile(owner, id);
    expect(file).toMatchObject({ status: 'FAILED', thumbnails: [], error: { code: 'UNSUPPORTED_TYPE', step: 'PROCESS' } });
    await expect(store.getObject(thumbnailKey(owner, id), { maxBytes: 1_000_000 })).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    const failed = publisher.events.find((e) => e.fileId === id && e.status === 'FAILED');
    expect(failed?.message).toBe('The file is not an image of a supported type.');
  });

  it('given a processed upload, when its event is delivered again, then it is a no-op', async () => {
    const id = await upload(await images.png(), 'image/png');
    await pipeline.process(`uploads/${owner}/${id}`);
    const before = await service.getFile(owner, id);
    const events = publisher.events.length;

    expect(await pipeline.process(`uploads/${owner}/${id}`)).toEqual({ outcome: 'SKIPPED', reason: 'ALREADY_PROCESSED' });
    expect((await service.getFile(owner, id))?.updatedAt).toBe(before?.updatedAt);
    expect(publisher.events.length).toBe(events);
  });
});
