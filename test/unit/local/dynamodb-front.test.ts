/**
 * The DynamoDB endpoint's front (local/services/dynamodb-front.ts) in front of a stand-in for
 * DynamoDB Local's JVM (an HTTP server on loopback answering ListTables), driven with the AWS
 * SDK's own DynamoDB client: what a caller sees while the JVM is down, back, or gone for good.
 */
import { type Server, createServer } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbFront, startDynamoDbFront } from '../../../local/services/dynamodb-front.js';

async function standIn(): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ TableNames: ['from-the-jvm'] }));
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { server, port };
}

describe('the DynamoDB front', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function given(holdMs = 30_000): Promise<{ front: DynamoDbFront; client: (maxAttempts?: number) => DynamoDBClient }> {
    const front = await startDynamoDbFront({ port: 0, holdMs });
    cleanups.push(() => front.close());
    const client = (maxAttempts = 3) => {
      const c = new DynamoDBClient({
        endpoint: `http://127.0.0.1:${front.port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts,
      });
      cleanups.push(async () => c.destroy());
      return c;
    };
    return { front, client };
  }

  it('given a JVM up, when a call is made, then the JVM answers it through the front', async () => {
    const { front, client } = await given();
    const jvm = await standIn();
    cleanups.push(() => new Promise((resolve) => jvm.server.close(resolve)));
    front.setUpstream({ kind: 'up', port: jvm.port });

    expect((await client().send(new ListTablesCommand({}))).TableNames).toEqual(['from-the-jvm']);
  });

  it('given no JVM yet (restarting), when a call is made and then the JVM comes up, then the call waits for it and is answered', async () => {
    const { front, client } = await given();
    const call = client().send(new ListTablesCommand({}));
    const jvm = await standIn();
    cleanups.push(() => new Promise((resolve) => jvm.server.close(resolve)));

    front.setUpstream({ kind: 'up', port: jvm.port });

    expect((await call).TableNames).toEqual(['from-the-jvm']);
  });

  it('given a JVM that could not be restarted, when a call is made, then it gets 503 ServiceUnavailable, which the SDK retries as transient', async () => {
    const { front, client } = await given();
    front.setUpstream({ kind: 'failed', reason: 'it could not be restarted' });

    const failure = (await client(3).send(new ListTablesCommand({})).catch((error: unknown) => error)) as {
      name: string;
      $metadata: { httpStatusCode?: number; attempts?: number };
    };

    expect(failure.name).toBe('ServiceUnavailable');
    expect(failure.$metadata.httpStatusCode).toBe(503);
    expect(failure.$metadata.attempts).toBe(3);
  });

  it('given no JVM for longer than the hold, when a call is made, then it gets the same retryable 503', async () => {
    const { client } = await given(100);

    const failure = (await client(1).send(new ListTablesCommand({})).catch((error: unknown) => error)) as { name: string; $metadata: { httpStatusCode?: number } };

    expect(failure.name).toBe('ServiceUnavailable');
    expect(failure.$metadata.httpStatusCode).toBe(503);
  });
});
