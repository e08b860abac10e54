/**
 * The template's tables in DynamoDB Local, named by their TableName or logical id (tableNameOf), with the keys, indexes and time
 * to live the template gives them. A table kept from an earlier run (persisted state) is kept,
 * with the indexes the template added since; a table just created gets its seed items.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { tableNameOf } from '../cdk/table-names.js';
import type { CfnTemplate } from '../cdk/template.js';
import type { Topology } from '../cdk/topology.js';
import { addMissingIndexes } from '../startup/table-indexes.js';
import { seedTables } from './table-seed.js';

export async function prepareTables(template: CfnTemplate, topology: Topology, endpoint: string, region: string): Promise<void> {
  const created = await createTables(topology, (logicalId) => tableNameOf(template, logicalId), endpoint, region);
  await seedTables(template, endpoint, region, created);
}

/** Creates the tables that do not exist yet (named by tableNameOf); returns their logical ids. */
async function createTables(topology: Topology, nameOf: (logicalId: string) => string, endpoint: string, region: string): Promise<string[]> {
  const created: string[] = [];
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await Promise.all(
      topology.tables.map(async (table) => {
        try {
          await client.send(
            new CreateTableCommand({ TableName: nameOf(table.logicalId), BillingMode: 'PAY_PER_REQUEST', ...(table.definition as object) } as never),
          );
        } catch (error) {
          if (!(error instanceof ResourceInUseException)) throw error;
          await addMissingIndexes(client, nameOf(table.logicalId), table.definition);
          return;
        }
        created.push(table.logicalId);
        if (table.timeToLiveAttribute) {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: nameOf(table.logicalId),
              TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
            }),
          );
        }
      }),
    );
  } finally {
    client.destroy();
  }
  return created;
}
