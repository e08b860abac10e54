import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFileRepository } from '../../resolvers/files/adapters/dynamodb-file-repository.js';
import type { FileRecord, StepDetails } from '../../resolvers/files/domain/model.js';
import { pendingRecord } from '../unit/resolvers/helpers/factories.js';
import { createFilesTable, documentClient, dynamoClient } from '../support/integration.js';

const SEQ = '0055AED6DCD90281E5';
const AT = '2025-03-01T00:00:00.000Z';
const processed: StepDetails = {
  step: 'PROCESS',
  details: { width: 640, height: 480, format: 'jpeg', sha256: 'a'.repeat(64), bytes: 1234, sanitizedKey: 'processed/o/f/image.jpg' },
};
const thumbnails: StepDetails = { step: 'THUMBNAIL', details: { thumbnails: [{ key: 'thumbnails/o/f/200x200.jpg', width: 200, height: 200, format: 'jpeg' }] } };

describe('the pipeline state of a file in DynamoDB Local: conditional updates per step', () => {
  let repository: DynamoDbFileRepository;

  beforeAll(async () => {
    repository = new DynamoDbFileRepository({ client: documentClient(), tableName: await createFilesTable(dynamoClient(), 'pipeline') });
  });

  async function given(): Promise<FileRecord> {
    const record = pendingRecord({ id: randomUUID() });
    await repository.create(record);
    return record;
  }

  it('given both steps begun and completed, then READY exactly once, with the metadata and thumbnails', async () => {
    const { id } = await given();
    expect(await repository.beginStep(id, 'PROCESS', SEQ, AT)).toEqual({ started: true, first: true, reopened: false });
    expect(await repository.beginStep(id, 'PROCESS', SEQ, AT)).toEqual({ started: true, first: false, reopened: false });
    await repository.beginStep(id, 'THUMBNAIL', SEQ, AT);
    expect(await repository.markReady(id, SEQ, AT)).toBe(false);

    expect(await repository.completeStep(id, SEQ, processed, AT)).not.toBeNull();
    expect(await repository.completeStep(id, SEQ, processed, AT)).toBeNull();
    expect(await repository.completeStep(id, SEQ, thumbnails, AT)).not.toBeNull();

    expect([await repository.markReady(id, SEQ, AT), await repository.markReady(id, SEQ, AT)]).toEqual([true, false]);
    expect(await repository.get(id)).toMatchObject({
      status: 'READY',
      width: 640,
      sanitizedKey: 'processed/o/f/image.jpg',
      thumbnails: thumbnails.details.thumbnails,
      steps: { PROCESS: { status: 'DONE' }, THUMBNAIL: { status: 'DONE' } },
    });
    expect(await repository.beginStep(id, 'PROCESS', SEQ, AT)).toEqual({ started: false });
  });

  it('given both steps running, when each completes, then it returns the record as updated: the first with the other step still RUNNING, the second with both DONE and both results', async () => {
    const { id } = await given();
    await repository.beginStep(id, 'PROCESS', SEQ, AT);
    await repository.beginStep(id, 'THUMBNAIL', SEQ, AT);
    const LATER = '2025-03-01T00:00:05.000Z';

    const first = await repository.completeStep(id, SEQ, processed, AT);
    expect(first).toMatchObject({
      id,
      status: 'PROCESSING',
      width: 640,
      height: 480,
      format: 'jpeg',
      sha256: 'a'.repeat(64),
      sanitizedKey: 'processed/o/f/image.jpg',
      thumbnails: [],
      steps: { PROCESS: { status: 'DONE', at: AT }, THUMBNAIL: { status: 'RUNNING' } },
    });
    const second = await repository.completeStep(id, SEQ, thumbnails, LATER);
    expect(second).toMatchObject({
      status: 'PROCESSING',
      width: 640,
      thumbnails: thumbnails.details.thumbnails,
      updatedAt: LATER,
      steps: { PROCESS: { status: 'DONE', at: AT }, THUMBNAIL: { status: 'DONE', at: LATER } },
    });
    expect(second).toEqual(await repository.get(id));
  });

  it('given a step not running in this run (not begun, another run, another step, no file), when completed, then null and nothing is written', async () => {
    const { id } = await given();
    expect(await repository.completeStep(id, SEQ, processed, AT)).toBeNull();
    await repository.beginStep(id, 'PROCESS', SEQ, AT);
    expect(await repository.completeStep(id, '0055AED6DCD90281FF', processed, AT)).toBeNull();
    const before = await repository.get(id);

    expect(await repository.completeStep(id, SEQ, thumbnails, AT)).toBeNull();
    const missing = randomUUID();
    expect(await repository.completeStep(missing, SEQ, processed, AT)).toBeNull();

    expect(await repository.get(id)).toEqual(before);
    expect(await repository.get(missing)).toBeNull();
    expect(before).toMatchObject({ width: null, steps: { PROCESS: { status: 'RUNNING' } } });
  });

  it('given a run in progress, when an event of another version begins a step, then it is refused', async () => {
    const { id } = await given();
    await repository.beginStep(id, 'PROCESS', SEQ, AT);
    expect(await repository.beginStep(id, 'THUMBNAIL', '0055AED6DCD90281FF', AT)).toEqual({ started: false });
  });

  it('given a step out of retries, when marked FAILED twice, then once, with the error and its last transient error kept on the step until it reopens', async () => {
    const { id } = await given();
    await repository.beginStep(id, 'THUMBNAIL', SEQ, AT);
    await repository.recordStepError(id, 'THUMBNAIL', { name: 'InjectedFault', message: 'boom' }, AT);
    expect((await repository.get(id))?.steps.THUMBNAIL?.lastError).toEqual({ name: 'InjectedFault', message: 'boom' });
    const error = { code: 'RETRIES_EXHAUSTED', message: 'THUMBNAIL ran out of retries', step: 'THUMBNAIL' };

    expect([await repository.markFailed(id, SEQ, error, AT), await repository.markFailed(id, SEQ, error, AT)]).toEqual([true, false]);
    expect(await repository.get(id)).toMatchObject({ status: 'FAILED', error });
    expect(await repository.beginStep(id, 'PROCESS', SEQ, AT)).toEqual({ started: false });
    expect(await repository.beginStep(id, 'THUMBNAIL', SEQ, AT)).toEqual({ started: true, first: true, reopened: true });
    expect(await repository.get(id)).toMatchObject({ status: 'PROCESSING', error: null });
  });

  it('given a READY file, when reset for reprocessing, then PROCESSING with no run, the old sequencer superseded, and a second reset refused', async () => {
    const { id, owner } = await given();
    await repository.beginStep(id, 'PROCESS', SEQ, AT);
    await repository.beginStep(id, 'THUMBNAIL', SEQ, AT);
    await repository.completeStep(id, SEQ, processed, AT);
    await repository.completeStep(id, SEQ, thumbnails, AT);
    await repository.markReady(id, SEQ, AT);
    expect([await repository.markNotified(id, `READY#${SEQ}`, AT), await repository.markNotified(id, `READY#${SEQ}`, AT)]).toEqual([true, false]);

    expect(await repository.resetForReprocess(id, 'someone-else', 'c', AT)).toBeNull();
    const reset = await repository.resetForReprocess(id, owner, 'c-2', AT);

    expect(reset).toMatchObject({ status: 'PROCESSING', sequencer: null, supersededSequencer: SEQ, steps: {}, notified: null, correlationId: 'c-2' });
    expect(await repository.resetForReprocess(id, owner, 'c-3', AT)).toBeNull();
    expect(await repository.beginStep(id, 'PROCESS', SEQ, AT)).toEqual({ started: false });
    expect(await repository.delete(id, owner)).toMatchObject({ id });
    expect(await repository.get(id)).toBeNull();
  });

  describe('an announcement, claimed before its effects and marked notified after them', () => {
    const KEY = `READY#${SEQ}`;
    const T0 = '2025-03-01T00:00:00.000Z';
    const T0_PLUS_30S = '2025-03-01T00:00:30.000Z';
    const T0_PLUS_31S = '2025-03-01T00:00:31.000Z';
    const T0_PLUS_61S = '2025-03-01T00:01:01.000Z';

    it('given a claim, when claimed again before it lapses, then IN_PROGRESS; after, claimed, with what the first published; once notified, ALREADY_NOTIFIED', async () => {
      const { id } = await given();
      expect(await repository.claimAnnouncement(id, KEY, T0, T0_PLUS_30S)).toEqual({ claimed: true, eventPublished: false });
      expect(await repository.claimAnnouncement(id, KEY, T0, T0_PLUS_30S)).toEqual({ claimed: false, reason: 'IN_PROGRESS' });
      await repository.recordAnnouncementEvent(id, KEY);

      expect(await repository.claimAnnouncement(id, KEY, T0_PLUS_31S, T0_PLUS_61S)).toEqual({ claimed: true, eventPublished: true });
      expect([await repository.markNotified(id, KEY, T0_PLUS_31S), await repository.markNotified(id, KEY, T0_PLUS_31S)]).toEqual([true, false]);
      expect(await repository.claimAnnouncement(id, KEY, T0_PLUS_61S, T0_PLUS_61S)).toEqual({ claimed: false, reason: 'ALREADY_NOTIFIED' });
      expect((await repository.get(id))?.notified).toBe(KEY);
    });

    it('given a released claim, then the next claim succeeds at once; an old claim is not released by its lapsed owner', async () => {
      const { id } = await given();
      await repository.claimAnnouncement(id, KEY, T0, T0_PLUS_30S);
      await repository.releaseAnnouncement(id, KEY, T0_PLUS_30S);
      expect(await repository.claimAnnouncement(id, KEY, T0, T0_PLUS_30S)).toEqual({ claimed: true, eventPublished: false });

      // That claim lapses and another delivery takes over; the first one's late release leaves the new claim alone.
      await repository.claimAnnouncement(id, KEY, T0_PLUS_31S, T0_PLUS_61S);
      await repository.releaseAnnouncement(id, KEY, T0_PLUS_30S);
      expect(await repository.claimAnnouncement(id, KEY, T0_PLUS_31S, T0_PLUS_61S)).toEqual({ claimed: false, reason: 'IN_PROGRESS' });
    });

    it('given a claim on another announcement (an earlier run), then it does not block; a missing file is UNKNOWN_FILE and is not created', async () => {
      const { id } = await given();
      await repository.claimAnnouncement(id, 'FAILED#0055AED6DCD90281E4', T0, T0_PLUS_30S);
      expect(await repository.claimAnnouncement(id, KEY, T0, T0_PLUS_30S)).toEqual({ claimed: true, eventPublished: false });

      const missing = randomUUID();
      expect(await repository.claimAnnouncement(missing, KEY, T0, T0_PLUS_30S)).toEqual({ claimed: false, reason: 'UNKNOWN_FILE' });
      await repository.recordAnnouncementEvent(missing, KEY);
      await repository.releaseAnnouncement(missing, KEY, T0_PLUS_30S);
      expect(await repository.get(missing)).toBeNull();
    });
  });
});
