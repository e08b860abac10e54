/** Clients and tables for integration tests, pointed at the services of test/integration/global-setup.ts. */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client } from '../../resolvers/files/adapters/aws-clients.js';
import { createDocumentClient } from '../../resolvers/shared/aws-clients.js';
import { BY_OWNER_INDEX } from '../../resolvers/files/adapters/dynamodb-file-repository.js';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: REGION, credentials: CREDENTIALS });
}

export function documentClient(client = dynamoClient()): DynamoDBDocumentClient {
  return createDocumentClient(client);
}

/** As the handlers build it (clients.ts), pointed at the local S3. No forcePathStyle: the IP does it. */
export function s3Client(): S3Client {
  return createS3Client({ endpoint: inject('s3Endpoint'), region: REGION, credentials: CREDENTIALS });
}

/** A fresh files table with the infra's key schema: pk `id`, GSI `byOwner` (owner, createdAt). */
export async function createFilesTable(client: DynamoDBClient, prefix = 'files'): Promise<string> {
  const tableName = `${prefix}-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_OWNER_INDEX,
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return tableName;
}
