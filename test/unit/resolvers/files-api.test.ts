import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import type { File, FileConnection, UploadPolicy, UploadTicket } from '../../../resolvers/generated/graphql.js';
import { createFileChangesApi, createFilesApi, type FilesApiHandler } from '../../../resolvers/files/handlers/files-routers.js';
import { FileChangesService, FilesService } from '../../../resolvers/files/domain/files-service.js';
import { processedKey, quarantineKey, thumbnailKey } from '../../../resolvers/files/domain/keys.js';
import { FixedClock, InMemoryFileRepository, InMemoryObjectStore } from './helpers/fakes.js';
import { OTHER_OWNER, OWNER, appSyncEvent, cognitoIdentity, lambdaContext, pendingRecord } from './helpers/factories.js';

const ID = '3f2b8c1e-5a6d-4e7f-8a9b-0c1d2e3f4a5b';
const NEW_ID = '11111111-2222-4333-8444-555555555555';

// Both handlers are tested over the same fresh fakes; each describe builds its own handler on them.
let repository: InMemoryFileRepository;
let objectStore: InMemoryObjectStore;
let handle: FilesApiHandler;
const call = (event: unknown) => handle(event, lambdaContext());

beforeEach(() => {
  repository = new InMemoryFileRepository();
  objectStore = new InMemoryObjectStore();
});

describe('files API handler (router + error mapping)', () => {
  beforeEach(() => {
    const service = new FilesService({
      repository,
      urls: objectStore,
      clock: new FixedClock(),
      ticketTtlSeconds: 900,
      newId: () => NEW_ID,
    });
    handle = createFilesApi(() => service, new Logger({ logLevel: 'SILENT' }));
  });

  it('given an unknown field, when invoked, then it throws (never null or data)', async () => {
    await expect(call(appSyncEvent('Query', 'nope', {}))).rejects.toMatchObject({ name: 'InternalError' });
  });

  it.each(['reprocessFile', 'deleteFile'])('given Mutation.%s (the file changes API\'s), when invoked here, then it throws and changes nothing', async (field) => {
    await repository.create(pendingRecord({ id: ID, status: 'READY' }));
    await expect(call(appSyncEvent('Mutation', field, { id: ID }))).rejects.toMatchObject({ name: 'InternalError' });
    expect((await repository.get(ID))?.status).toBe('READY');
  });

  it('given a resolver that fails validation, when invoked, then the named error is thrown, not returned as data', async () => {
    const result = call(appSyncEvent('Query', 'files', { limit: 1000 }));
    await expect(result).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'limit must be an integer from 1 to 100',
    });
  });

  it('given a storage failure with internal details, when invoked, then InternalError with the fixed message', async () => {
    repository.get = () => Promise.reject(new Error('ResourceNotFoundException: table files-prod not found'));
    await expect(call(appSyncEvent('Query', 'file', { id: ID }))).rejects.toMatchObject({
      name: 'InternalError',
      message: 'An internal error occurred',
    });
  });

  it('given an event that is not an AppSync resolver event, when invoked, then it throws', async () => {
    await expect(call({ hello: 'world' })).rejects.toMatchObject({ name: 'InternalError' });
  });

  it('given an API-key caller (identity null), when asking for the upload policy, then it is returned', async () => {
    const policy = (await call(appSyncEvent('Query', 'uploadPolicy', {}, null))) as UploadPolicy;
    expect(policy).toEqual({
      contentTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff'],
      maxBytes: 26_214_400,
      ticketTtlSeconds: 900,
    });
  });

  it.each([
    ['API key (null identity)', null],
    ['IAM (no sub)', { accountId: '123', userArn: 'arn:aws:iam::123:role/x', username: 'x' }],
    ['an empty sub', { sub: '' }],
  ])('given a caller with %s, when listing files, then UnauthorizedException', async (_name, identity) => {
    await expect(call(appSyncEvent('Query', 'files', {}, identity))).rejects.toMatchObject({
      name: 'UnauthorizedException',
    });
  });

  it("given another user's file, when asked for by id, then null (its existence is not revealed)", async () => {
    await repository.create(pendingRecord({ id: ID, owner: OTHER_OWNER }));
    expect(await call(appSyncEvent('Query', 'file', { id: ID }))).toBeNull();
  });

  it('given a malformed id, when asked for, then null without a lookup', async () => {
    repository.get = () => Promise.reject(new Error('must not be called'));
    expect(await call(appSyncEvent('Query', 'file', { id: 'x'.repeat(5000) }))).toBeNull();
  });

  it('given my READY file, when asked for, then the whole File shape with a signed thumbnail URL', async () => {
    await repository.create(
      pendingRecord({
        id: ID,
        status: 'READY',
        width: 64,
        height: 48,
        format: 'jpeg',
        sha256: 'ab'.repeat(32),
        thumbnails: [{ key: thumbnailKey(OWNER, ID), width: 200, height: 200, format: 'jpeg' }],
      }),
    );
    const file = (await call(appSyncEvent('Query', 'file', { id: ID }))) as File;
    expect(file).toEqual({
      id: ID,
      owner: OWNER,
      fileName: 'holiday.jpg',
      contentType: 'image/jpeg',
      size: 1234,
      status: 'READY',
      width: 64,
      height: 48,
      format: 'jpeg',
      sha256: 'ab'.repeat(32),
      thumbnails: [
        {
          width: 200,
          height: 200,
          format: 'jpeg',
          url: `https://uploads.example/${thumbnailKey(OWNER, ID)}?signed=get&expires=3600`,
        },
      ],
      error: null,
      createdAt: '2025-01-02T03:04:05.678Z',
      updatedAt: '2025-01-02T03:04:05.678Z',
    });
  });

  it('given a valid input, when createUpload, then a PENDING_UPLOAD record and a ticket binding type, length and the correlation id', async () => {
    const ticket = (await call(
      appSyncEvent('Mutation', 'createUpload', {
        input: { fileName: 'cat.png', contentType: 'image/png', size: 2048 },
      }),
    )) as UploadTicket;

    expect(ticket.file).toMatchObject({ id: NEW_ID, owner: OWNER, status: 'PENDING_UPLOAD', thumbnails: [] });
    expect(ticket.uploadUrl).toBe(`https://uploads.example/uploads/${OWNER}/${NEW_ID}?signed=put`);
    expect(JSON.parse(ticket.uploadHeaders ?? 'null')).toEqual({
      'content-type': 'image/png',
      'content-length': '2048',
      'x-amz-meta-correlation-id': 'appsync-request-id',
      'if-none-match': '*',
    });
    expect(ticket.expiresAt).toBe('2025-01-02T03:19:05.678Z');
    expect(objectStore.presignedPuts).toEqual([
      {
        key: `uploads/${OWNER}/${NEW_ID}`,
        contentType: 'image/png',
        contentLength: 2048,
        expiresInSeconds: 900,
        metadata: { 'correlation-id': 'appsync-request-id' },
        onlyIfAbsent: true,
      },
    ]);
    expect((await repository.get(NEW_ID))?.status).toBe('PENDING_UPLOAD');
  });

  it('given an SVG declared, when createUpload, then ValidationError and nothing stored', async () => {
    await expect(
      call(
        appSyncEvent('Mutation', 'createUpload', {
          input: { fileName: 'x.svg', contentType: 'image/svg+xml', size: 10 },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect(repository.records.size).toBe(0);
  });

  it('given a caller whose sub would change the key layout, when createUpload, then UnauthorizedException', async () => {
    const event = appSyncEvent(
      'Mutation',
      'createUpload',
      { input: { fileName: 'a.jpg', contentType: 'image/jpeg', size: 1 } },
      cognitoIdentity('../evil'),
    );
    await expect(call(event)).rejects.toMatchObject({ name: 'UnauthorizedException' });
  });

  it('given 5 of my files and 1 of another user, when listed 2 at a time, then mine come newest first over 3 pages', async () => {
    const ids = [1, 2, 3, 4, 5].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    for (const [n, id] of ids.entries()) {
      await repository.create(pendingRecord({ id, createdAt: `2025-01-0${n + 1}T00:00:00.000Z` }));
    }
    await repository.create(pendingRecord({ id: ID, owner: OTHER_OWNER, createdAt: '2025-02-01T00:00:00.000Z' }));

    const seen: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const page = (await call(appSyncEvent('Query', 'files', { limit: 2, nextToken }))) as FileConnection;
      seen.push(...page.items.map((f) => f.id));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken !== null);

    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
  });

  it("given a token from another user's listing, when used, then ValidationError", async () => {
    for (const id of [ID, NEW_ID]) await repository.create(pendingRecord({ id, owner: OTHER_OWNER }));
    const theirs = (await call(
      appSyncEvent('Query', 'files', { limit: 1 }, cognitoIdentity(OTHER_OWNER)),
    )) as FileConnection;
    expect(theirs.nextToken).not.toBeNull();

    await expect(call(appSyncEvent('Query', 'files', { nextToken: theirs.nextToken }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('file changes API handler (reprocessFile, deleteFile)', () => {
  beforeEach(() => {
    const service = new FileChangesService({ repository, urls: objectStore, objects: objectStore, clock: new FixedClock() });
    handle = createFileChangesApi(() => service, new Logger({ logLevel: 'SILENT' }));
  });

  const readyRecord = (overrides: Partial<Parameters<typeof pendingRecord>[0]> = {}) =>
    pendingRecord({
      id: ID,
      status: 'READY',
      sequencer: '0055AED6DCD90281E5',
      correlationId: 'first-upload',
      sanitizedKey: processedKey(OWNER, ID, 'jpeg'),
      thumbnails: [{ key: thumbnailKey(OWNER, ID), width: 200, height: 200, format: 'jpeg' }],
      ...overrides,
    });

  it.each([
    ['Query', 'file'],
    ['Query', 'files'],
    ['Query', 'uploadPolicy'],
    ['Mutation', 'createUpload'],
  ])('given %s.%s (the files API\'s), when invoked here, then it throws', async (type, field) => {
    await expect(call(appSyncEvent(type, field, {}))).rejects.toMatchObject({ name: 'InternalError' });
  });

  it('given my READY file, when reprocessed, then it is PROCESSING under the request\'s correlation id and its original is copied onto itself with it', async () => {
    await repository.create(readyRecord());
    const original = `uploads/${OWNER}/${ID}`;
    objectStore.objects.set(original, { body: new Uint8Array([1, 2, 3]), contentType: 'image/jpeg', metadata: { 'correlation-id': 'first-upload' } });

    const file = (await call(appSyncEvent('Mutation', 'reprocessFile', { id: ID }))) as File;

    expect(file).toMatchObject({ id: ID, status: 'PROCESSING', thumbnails: [{ url: `https://uploads.example/${thumbnailKey(OWNER, ID)}?signed=get&expires=3600` }] });
    expect((await repository.get(ID))?.correlationId).toBe('appsync-request-id');
    expect(objectStore.objects.get(original)?.metadata).toEqual({ 'correlation-id': 'appsync-request-id' });
  });

  it.each([
    ['still processing', { status: 'PROCESSING' as const }, 'ValidationError'],
    ['quarantined', { status: 'FAILED' as const, quarantineKey: quarantineKey(OWNER, ID) }, 'ValidationError'],
    ['another user\'s', { owner: OTHER_OWNER }, 'NotFoundError'],
  ])('given a file %s, when reprocessed, then %s and nothing is copied', async (_case, overrides, name) => {
    await repository.create(readyRecord(overrides));
    objectStore.copyObject = () => Promise.reject(new Error('must not be called'));
    await expect(call(appSyncEvent('Mutation', 'reprocessFile', { id: ID }))).rejects.toMatchObject({ name });
  });

  it('given a copy that fails, when reprocessed, then InternalError with the fixed message', async () => {
    await repository.create(readyRecord());
    await expect(call(appSyncEvent('Mutation', 'reprocessFile', { id: ID }))).rejects.toMatchObject({
      name: 'InternalError',
      message: 'An internal error occurred',
    });
  });

  it('given my file, when deleted, then its record and every object of it are gone, and its id is returned', async () => {
    const record = readyRecord({ quarantineKey: quarantineKey(OWNER, ID) });
    await repository.create(record);
    const keys = [record.objectKey, processedKey(OWNER, ID, 'jpeg'), thumbnailKey(OWNER, ID), quarantineKey(OWNER, ID)];
    for (const key of [...keys, 'uploads/someone-else/x']) objectStore.objects.set(key, { body: new Uint8Array(1), contentType: 'image/jpeg', metadata: {} });

    expect(await call(appSyncEvent('Mutation', 'deleteFile', { id: ID }))).toBe(ID);

    expect(await repository.get(ID)).toBeNull();
    expect([...objectStore.objects.keys()]).toEqual(['uploads/someone-else/x']);
  });

  it("given my file with a sanitized copy of an earlier run the record no longer lists, when deleted, then every version under each of the file's keys and prefixes is removed", async () => {
    await repository.create(readyRecord());
    const earlier = processedKey(OWNER, ID, 'png');
    objectStore.objects.set(earlier, { body: new Uint8Array(1), contentType: 'image/png', metadata: {} });

    await call(appSyncEvent('Mutation', 'deleteFile', { id: ID }));

    expect(objectStore.objects.has(earlier)).toBe(false);
    expect(objectStore.versionDeletes.sort()).toEqual(
      [`uploads/${OWNER}/${ID}`, quarantineKey(OWNER, ID), `processed/${OWNER}/${ID}/`, `thumbnails/${OWNER}/${ID}/`].sort(),
    );
  });

  describe('a file stuck in PROCESSING', () => {
    const clock = new FixedClock();
    const STEP_TIMEOUT_MS = 30_000;
    const since = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();

    beforeEach(() => {
      const service = new FileChangesService({ repository, urls: objectStore, objects: objectStore, clock, stepTimeoutMs: STEP_TIMEOUT_MS });
      handle = createFileChangesApi(() => service, new Logger({ logLevel: 'SILENT' }));
      objectStore.objects.set(`uploads/${OWNER}/${ID}`, { body: new Uint8Array([1]), contentType: 'image/jpeg', metadata: {} });
    });

    it("given no change for longer than the steps' time limit, when reprocessed, then it restarts: a new run and a copy of the original", async () => {
      await repository.create(readyRecord({ status: 'PROCESSING', updatedAt: since(STEP_TIMEOUT_MS + 1_000) }));

      const file = (await call(appSyncEvent('Mutation', 'reprocessFile', { id: ID }))) as File;

      expect(file.status).toBe('PROCESSING');
      expect(await repository.get(ID)).toMatchObject({ sequencer: null, supersededSequencer: '0055AED6DCD90281E5' });
      expect(objectStore.objects.get(`uploads/${OWNER}/${ID}`)?.metadata).toEqual({ 'correlation-id': 'appsync-request-id' });
    });

    it('given a change within the time limit (a step may still be running), when reprocessed, then ValidationError and nothing is copied', async () => {
      await repository.create(readyRecord({ status: 'PROCESSING', updatedAt: since(STEP_TIMEOUT_MS - 1_000) }));
      objectStore.copyObject = () => Promise.reject(new Error('must not be called'));

      await expect(call(appSyncEvent('Mutation', 'reprocessFile', { id: ID }))).rejects.toMatchObject({ name: 'ValidationError' });
      expect((await repository.get(ID))?.sequencer).toBe('0055AED6DCD90281E5');
    });
  });

  it("given another user's file, when deleted, then NotFoundError and it stays", async () => {
    await repository.create(readyRecord({ owner: OTHER_OWNER }));
    await expect(call(appSyncEvent('Mutation', 'deleteFile', { id: ID }))).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await repository.get(ID)).not.toBeNull();
  });
});
