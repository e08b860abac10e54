import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addMissingIndexes } from '../../local/startup/table-indexes.js';

/** A table kept in the state folder gets the indexes the template added since (DynamoDB Local). */

let client: DynamoDBClient;

beforeAll(() => {
  client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(() => client?.destroy());

const index = (name: string, hash: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: 'createdAt', KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

describe('given a table created before the template added an index', () => {
  it('when the stack starts again, then the missing index is created once and the existing one is kept', async () => {
    const table = `orders-${randomUUID()}`;
    const attributes = (...names: string[]) => names.map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes('id', 'owner', 'createdAt'),
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [index('byOwner', 'owner')],
      }),
    );
    const definition = {
      AttributeDefinitions: attributes('id', 'owner', 'createdAt', 'approvalQueue'),
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [index('byOwner', 'owner'), index('awaitingApproval', 'approvalQueue')],
    };

    const first = await addMissingIndexes(client, table, definition);
    const second = await addMissingIndexes(client, table, definition);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));

    expect(first).toEqual(['awaitingApproval']);
    expect(second).toEqual([]);
    expect((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort()).toEqual(['awaitingApproval', 'byOwner']);
  });
});
