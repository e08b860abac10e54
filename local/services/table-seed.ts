/**
 * Items a CDK construct declares for a table as `local:seed` metadata (the orders catalog does),
 * written into that table when the local stack has just created it. A table kept from an
 * earlier run is left as it is: its data is the developer's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNameOf } from '../cdk/table-names.js';
import { type CfnTemplate, TemplateError, resourcesOfType } from '../cdk/template.js';

export const LOCAL_SEED_METADATA = 'local:seed';

/** The seed items of each table that has some, by logical id (the local table name). */
export function tableSeeds(template: CfnTemplate): Map<string, Record<string, unknown>[]> {
  const seeds = new Map<string, Record<string, unknown>[]>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const items = resource.Metadata?.[LOCAL_SEED_METADATA];
    if (items === undefined) continue;
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
      throw new TemplateError(`${logicalId}: ${LOCAL_SEED_METADATA} must be a list of items`);
    }
    seeds.set(logicalId, items as Record<string, unknown>[]);
  }
  return seeds;
}

export async function seedTables(
  template: CfnTemplate,
  endpoint: string,
  region: string,
  createdTables: readonly string[],
): Promise<void> {
  const seeds = [...tableSeeds(template)].filter(([logicalId]) => createdTables.includes(logicalId));
  if (seeds.length === 0) return;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  try {
    for (const [logicalId, items] of seeds) {
      const table = tableNameOf(template, logicalId);
      for (let start = 0; start < items.length; start += 25) {
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = items
          .slice(start, start + 25)
          .map((Item) => ({ PutRequest: { Item } }));
        while (requests !== undefined && requests.length > 0) {
          const result = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = result.UnprocessedItems?.[table] as typeof requests;
        }
      }
    }
  } finally {
    client.destroy();
  }
}
