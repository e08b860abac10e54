import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFileRepository } from '../../resolvers/files/adapters/dynamodb-file-repository.js';
import type { FileRecord } from '../../resolvers/files/domain/model.js';
import { OWNER, OTHER_OWNER, pendingRecord } from '../unit/resolvers/helpers/factories.js';
import { createFilesTable, documentClient, dynamoClient } from '../support/integration.js';

describe('DynamoDbFileRepository against DynamoDB Local', () => {
  let repository: DynamoDbFileRepository;
  let tableName: string;
  const docs = documentClient();

  beforeAll(async () => {
    tableName = await createFilesTable(dynamoClient());
    repository = new DynamoDbFileRepository({ client: docs, tableName });
  });

  async function given(overrides: Partial<FileRecord> = {}): Promise<FileRecord> {
    const record = pendingRecord({ id: randomUUID(), ...overrides });
    await repository.create(record);
    return record;
  }

  it('given a created record, when read back, then it is equal, nulls included, and nulls are not stored as attributes', async () => {
    const record = await given();
    expect(await repository.get(record.id)).toEqual(record);
    const { Item } = await docs.send(new GetCommand({ TableName: tableName, Key: { id: record.id } }));
    expect(Item).not.toHaveProperty('width');
    expect(Item).not.toHaveProperty('error');
  });

  it('given an existing id, when created again, then it fails and the first record stays', async () => {
    const record = await given({ fileName: 'first.jpg' });
    await expect(repository.create({ ...record, fileName: 'second.jpg' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect((await repository.get(record.id))?.fileName).toBe('first.jpg');
  });

  it('given an unknown id, when read, then null', async () => {
    expect(await repository.get(randomUUID())).toBeNull();
  });

  describe('listByOwner', () => {
    it("given 5 records of one owner and others' records, when paged by 2, then newest first, 3 pages, no empty last page", async () => {
      const owner = `owner-${randomUUID()}`;
      const created: FileRecord[] = [];
      for (let day = 1; day <= 5; day++) {
        created.push(await given({ owner, createdAt: `2025-01-0${day}T10:00:00.000Z` }));
      }
      await given({ owner: OTHER_OWNER, createdAt: '2025-01-03T12:00:00.000Z' });
      await given({ owner: OWNER, createdAt: '2025-01-09T12:00:00.000Z' });

      const pages: string[][] = [];
      let startAfter = null;
      do {
        const page = await repository.listByOwner(owner, { limit: 2, startAfter });
        pages.push(page.items.map((r) => r.id));
        startAfter = page.lastKey;
      } while (startAfter !== null);

      const newestFirst = [...created].reverse().map((r) => r.id);
      expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    });

    it('given exactly one page of records, when listed, then no next key', async () => {
      const owner = `owner-${randomUUID()}`;
      await given({ owner });
      await given({ owner });
      const page = await repository.listByOwner(owner, { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.lastKey).toBeNull();
    });

    it('given an owner with no files, when listed, then an empty page', async () => {
      expect(await repository.listByOwner(`nobody-${randomUUID()}`, { limit: 20 })).toEqual({ items: [], lastKey: null });
    });
  });
});
