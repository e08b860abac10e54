import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AppSyncResolverEvent } from 'aws-lambda';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env.TABLE_NAME;

type Args = { room: string; text?: string };

export const handler = async (event: AppSyncResolverEvent<Args>) => {
  switch (event.info.fieldName) {
    case 'postMessage': {
      const message = { room: event.arguments.room, id: `${Date.now()}-${randomUUID()}`, text: event.arguments.text, at: new Date().toISOString() };
      await db.send(new PutCommand({ TableName, Item: message }));
      return message;
    }
    case 'messages': {
      const out = await db.send(new QueryCommand({ TableName, KeyConditionExpression: '#room = :room', ExpressionAttributeNames: { '#room': 'room' }, ExpressionAttributeValues: { ':room': event.arguments.room } }));
      return out.Items ?? [];
    }
    default:
      throw new Error(`Unknown field ${event.info.fieldName}`);
  }
};
