import { SchemaError } from '../schema-error.js';
import type { DynamoDbRequest } from '../dynamodb-source.js';
import type { DataSourceDeps, DataSourceRunner } from './types.js';

/** AMAZON_DYNAMODB: the request run against DynamoDB Local (dynamodb-source.ts). */
export function dynamoDbDataSource(name: string, tableLogicalId: string | undefined, deps: DataSourceDeps): DataSourceRunner {
  const dynamodb = deps.dynamodb;
  if (!dynamodb || !tableLogicalId) throw new SchemaError(`${name}: no DynamoDB table`);
  const table = deps.tableName?.(tableLogicalId) ?? tableLogicalId;
  return { run: (request) => dynamodb.run(table, (request ?? {}) as DynamoDbRequest) };
}
