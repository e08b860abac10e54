import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFileRepository } from '../../resolvers/adapters/dynamodb-file-repository.js';
import type { FileRecord, StepDetails } from '../../resolvers/files/model.js';
import { pendingRecord } from '../unit/resolvers/helpers/factories.js';
import { createFilesTable, documentClient, dynamoClient } from './helpers.js';

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

    expect(await repository.completeStep(id, SEQ, processed, AT)).toBe(true);
    expect(await repository.completeStep(id, SEQ, processed, AT)).toBe(false);
    expect(await repository.completeStep(id, SEQ, thumbnails, AT)).toBe(true);

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
});
