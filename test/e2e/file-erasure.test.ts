/**
 * What an upload ticket can do once used, and what deleteFile leaves behind, seen as a client and
 * an operator see them: the ticket's PUT, the API, and every version S3 lists under the file's
 * keys (the bucket is versioned: a plain delete would only hide the original, EXIF and GPS
 * included). S3's documented behaviour: If-None-Match: * on an existing key is 412
 * PreconditionFailed; ListObjectVersions lists versions and delete markers.
 */
import { createHash } from 'node:crypto';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateUploadDocument, DeleteFileDocument, FileDocument } from '../../client/generated/operations.js';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { type Ticket, putUpload } from '../support/files.js';
import { graphql } from '../support/graphql-client.js';
import { makeJpeg } from '../support/images.js';
import { target, tokenFor } from '../support/target.js';

describe('an upload ticket used again, and a deleted file', () => {
  let token: string;
  const credentials = () => ({ kind: 'userPool', token }) as const;

  beforeAll(async () => {
    token = await tokenFor('erin');
  });

  async function ticketFor(bytes: Buffer): Promise<Ticket> {
    const created = await graphql(target().graphqlUrl, credentials(), CreateUploadDocument, {
      input: { fileName: 'photo.jpg', contentType: 'image/jpeg', size: bytes.length },
    });
    expect(created.errors).toBeUndefined();
    return created.data!.createUpload;
  }

  async function statusOf(id: string): Promise<{ status: string; sha256: string | null } | null> {
    const response = await graphql(target().graphqlUrl, credentials(), FileDocument, { id });
    return response.data?.file ?? null;
  }

  async function finished(id: string) {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      const file = await statusOf(id);
      if (file !== null && ['READY', 'FAILED'].includes(file.status)) return file;
    }
    throw new Error(`file ${id} did not finish`);
  }

  /** The bucket and an operator's S3 client (the developer credentials), from the ticket's URL. */
  function operator(ticket: Ticket): { s3: S3Client; bucket: string } {
    const url = new URL(ticket.uploadUrl);
    return {
      s3: createS3Client({ endpoint: url.origin, region: target().region, credentials: target().developerCredentials, forcePathStyle: true }),
      bucket: url.pathname.split('/')[1] ?? '',
    };
  }

  /** Every version and delete marker under each of the file's keys: original, sanitized copies, thumbnails, quarantine. */
  async function versionsOf(ticket: Ticket): Promise<string[]> {
    const { s3, bucket } = operator(ticket);
    const { owner, id } = ticket.file;
    const listed: string[] = [];
    for (const prefix of [`uploads/${owner}/${id}`, `processed/${owner}/${id}/`, `thumbnails/${owner}/${id}/`, `quarantine/${owner}/${id}`]) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) listed.push(`${v.Key}@${v.VersionId}`);
    }
    return listed;
  }

  it('given a ticket already used, when it is PUT again with other bytes, then 412 PreconditionFailed and the file keeps the first upload', async () => {
    const first = await makeJpeg(320, 240);
    // Other bytes of the signed length (the signature binds the length, not the bytes).
    const second = Buffer.from(first);
    second.fill(0x20, 200, 260);
    const ticket = await ticketFor(first);
    expect((await putUpload(ticket, first)).status).toBe(200);

    const again = await putUpload(ticket, second);

    expect(again.status).toBe(412);
    expect(await again.text()).toContain('PreconditionFailed');
    const file = await finished(ticket.file.id);
    expect(file.status).toBe('READY');
    expect(file.sha256).toBe(createHash('sha256').update(first).digest('hex'));
  });

  it('given a READY file, when deleteFile, then no version or delete marker is left under any of its keys', async () => {
    const bytes = await makeJpeg(400, 300);
    const ticket = await ticketFor(bytes);
    expect((await putUpload(ticket, bytes)).status).toBe(200);
    expect((await finished(ticket.file.id)).status).toBe('READY');
    expect((await versionsOf(ticket)).length).toBeGreaterThan(0);

    const deleted = await graphql(target().graphqlUrl, credentials(), DeleteFileDocument, { id: ticket.file.id });

    expect(deleted.errors).toBeUndefined();
    expect(await versionsOf(ticket)).toEqual([]);
    expect(await statusOf(ticket.file.id)).toBeNull();
  });

  it('given a deleted file, when its ticket is PUT again, then the original does not come back: the pipeline removes the version and the file stays deleted', async () => {
    const bytes = await makeJpeg(200, 150);
    const ticket = await ticketFor(bytes);
    expect((await putUpload(ticket, bytes)).status).toBe(200);
    await finished(ticket.file.id);
    await graphql(target().graphqlUrl, credentials(), DeleteFileDocument, { id: ticket.file.id });

    // S3 cannot refuse it (the key has no current version); the PROCESS step removes it.
    expect((await putUpload(ticket, bytes)).status).toBe(200);

    let left = await versionsOf(ticket);
    for (const deadline = Date.now() + 30_000; left.length > 0 && Date.now() < deadline; left = await versionsOf(ticket)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toEqual([]);
    expect(await statusOf(ticket.file.id)).toBeNull();
  });
});
