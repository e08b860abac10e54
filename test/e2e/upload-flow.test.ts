import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, FileDocument, OnFileEventDocument } from '../../client/generated/operations.js';
import { graphql } from '../support/graphql-client.js';
import { makeJpeg } from '../support/images.js';
import { RealtimeClient } from '../support/realtime-client.js';
import { target, tokenFor } from '../support/target.js';
import { putUpload } from '../support/files.js';

describe('upload pipeline through the local stack', () => {
  let alice: string;
  let realtime: RealtimeClient;

  beforeAll(async () => {
    alice = await tokenFor('alice');
    realtime = await RealtimeClient.connect({
      realtimeUrl: target().realtimeUrl,
      graphqlUrl: target().graphqlUrl,
      credentials: { kind: 'userPool', token: alice },
      caPath: target().caPath,
    });
  });
  afterAll(() => realtime.close());

  it('given alice subscribed to her new file, when she PUTs a real JPEG, then she sees each step PROCESSING, then READY, and the file has its metadata and a 200x200 thumbnail', async () => {
    const credentials = { kind: 'userPool', token: alice } as const;
    const image = await makeJpeg(640, 480);
    const created = await graphql(target().graphqlUrl, credentials, CreateUploadDocument, {
      input: { fileName: 'holiday.jpg', contentType: 'image/jpeg', size: image.length },
    });
    expect(created.errors).toBeUndefined();
    const ticket = created.data!.createUpload;
    expect(ticket.file.status).toBe('PENDING_UPLOAD');

    const ack = await realtime.start('alice-file', OnFileEventDocument, { fileId: ticket.file.id }, credentials);
    expect(ack.type).toBe('start_ack');

    const put = await putUpload(ticket, image);
    expect(put.status).toBe(200);

    const statusesNow = () => realtime.data('alice-file').map((d) => d['onFileEvent'] as { status: string; step: string; message: string | null });
    await realtime.until(() => (statusesNow().some((e) => e.status === 'READY') ? true : undefined), 30_000, 'READY');
    // PROCESS and THUMBNAIL each report started and completed (PROCESSING); notify reports READY.
    const received = statusesNow();
    expect(received.map((e) => e.status)).toEqual([...Array<string>(received.length - 1).fill('PROCESSING'), 'READY']);
    expect(received.filter((e) => e.message === 'completed').map((e) => e.step).sort()).toEqual(['PROCESS', 'THUMBNAIL']);

    const file = await graphql(target().graphqlUrl, credentials, FileDocument, { id: ticket.file.id });
    expect(file.errors).toBeUndefined();
    expect(file.data!.file).toMatchObject({ status: 'READY', width: 640, height: 480, format: 'jpeg' });
    expect(file.data!.file!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const [thumbnail] = file.data!.file!.thumbnails;
    expect(thumbnail).toMatchObject({ width: 200, height: 200 });
    const download = await fetch(thumbnail!.url);
    expect(download.status).toBe(200);
    const meta = await sharp(Buffer.from(await download.arrayBuffer())).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([200, 200, 'jpeg']);
  });

  it('given a text file declared as image/jpeg, when it is uploaded, then the file ends FAILED with UNSUPPORTED_TYPE, seen by subscription and query', async () => {
    const credentials = { kind: 'userPool', token: alice } as const;
    const bytes = Buffer.from('this is not an image, just text\n'.repeat(20));
    const created = await graphql(target().graphqlUrl, credentials, CreateUploadDocument, {
      input: { fileName: 'notes.jpg', contentType: 'image/jpeg', size: bytes.length },
    });
    const ticket = created.data!.createUpload;
    await realtime.start('alice-text', OnFileEventDocument, { fileId: ticket.file.id }, credentials);

    expect((await putUpload(ticket, bytes)).status).toBe(200);

    const failed = await realtime.until(
      () => realtime.data('alice-text').map((d) => d['onFileEvent'] as { status: string; message: string | null }).find((e) => e.status === 'FAILED'),
      30_000,
      'a FAILED event',
    );
    expect(failed.message).toBeTruthy();
    const file = await graphql(target().graphqlUrl, credentials, FileDocument, { id: ticket.file.id });
    expect(file.data!.file!.status).toBe('FAILED');
    expect(file.data!.file!.error!.code).toBe('UNSUPPORTED_TYPE');
  });
});

describe('the signed upload URL', () => {
  it('given a ticket for a JPEG of n bytes, when the PUT carries another content type or another length, then S3 refuses it with SignatureDoesNotMatch and nothing is stored', async () => {
    const credentials = { kind: 'userPool', token: await tokenFor('carol') } as const;
    const image = await makeJpeg(64, 64);
    const created = await graphql(target().graphqlUrl, credentials, CreateUploadDocument, {
      input: { fileName: 'x.jpg', contentType: 'image/jpeg', size: image.length },
    });
    const ticket = created.data!.createUpload;

    const wrongType = await fetch(ticket.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: image,
    });
    const longer = await fetch(ticket.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg' },
      body: Buffer.concat([image, Buffer.from('extra')]),
    });

    expect(wrongType.status).toBe(403);
    expect(await wrongType.text()).toContain('SignatureDoesNotMatch');
    expect(longer.status).toBe(403);
    const file = await graphql(target().graphqlUrl, credentials, FileDocument, { id: ticket.file.id });
    expect(file.data!.file!.status).toBe('PENDING_UPLOAD');
  });
});
