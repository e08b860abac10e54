/**
 * A table kept from an earlier run (persisted state) gets the global secondary indexes the
 * template added since, as CloudFormation adds them on an update: without this, a new index
 * (such as the orders' `awaitingApproval`) would be missing until `.local/` is deleted.
 */
import { type AttributeDefinition, DescribeTableCommand, type DynamoDBClient, type GlobalSecondaryIndex, UpdateTableCommand } from '@aws-sdk/client-dynamodb';

interface TableDefinition {
  readonly AttributeDefinitions?: readonly AttributeDefinition[];
  readonly GlobalSecondaryIndexes?: readonly GlobalSecondaryIndex[];
}

/** Creates, one at a time, the template's indexes the existing table lacks. Returns their names. */
export async function addMissingIndexes(client: DynamoDBClient, tableName: string, definition: unknown): Promise<string[]> {
  const wanted = (definition as TableDefinition).GlobalSecondaryIndexes ?? [];
  if (wanted.length === 0) return [];
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const added: string[] = [];
  for (const index of wanted.filter((i) => !existing.has(i.IndexName))) {
    const keys = new Set((index.KeySchema ?? []).map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: ((definition as TableDefinition).AttributeDefinitions ?? []).filter((a) => keys.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
    added.push(index.IndexName ?? '');
  }
  return added;
}
