/**
 * The DynamoDB clients both domains use, created once per module (i.e. once per Lambda execution
 * environment) and reused by every invocation. Region, endpoint and credentials come from the
 * SDK's own environment variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, ...), so the same code
 * talks to AWS or to the local stack. The files domain's other clients (S3, SNS, SQS) are in
 * resolvers/files/adapters/aws-clients.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDbClient = new DynamoDBClient({});

export const documentClient = createDocumentClient(dynamoDbClient);

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
