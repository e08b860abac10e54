/**
 * Target: the floor of a data path. One Node process making the handler's own DynamoDB call
 * with the AWS SDK (the same lib-dynamodb document client, the same parameters as
 * resolvers/files/adapters/dynamodb-file-repository.ts) against the same DynamoDB Local, `concurrency`
 * calls in flight, for `durationS`. POST /run with the load answers its figures (serveRuns); the process
 * stays up between runs so the harness can sample its CPU around each.
 * Env: the files function's own environment (AWS_ENDPOINT_URL_DYNAMODB, credentials, region).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serveRuns } from '../lib/child.js';

export type SdkCall =
  | { readonly op: 'GetItem'; readonly table: string; readonly id: string }
  | { readonly op: 'Query'; readonly table: string; readonly index: string; readonly owner: string; readonly limit: number };

export interface SdkRunRequest {
  readonly call: SdkCall;
  readonly durationS: number;
  readonly concurrency: number;
}

export interface SdkRunResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  /** Every call's latency, ms, sorted. */
  readonly latenciesMs: readonly number[];
}

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

function send(call: SdkCall): Promise<unknown> {
  if (call.op === 'GetItem') return client.send(new GetCommand({ TableName: call.table, Key: { id: call.id }, ConsistentRead: true }));
  // listByOwner: one item beyond the page, newest first.
  return client.send(
    new QueryCommand({
      TableName: call.table,
      IndexName: call.index,
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': call.owner },
      ScanIndexForward: false,
      Limit: call.limit + 1,
    }),
  );
}

async function run({ call, durationS, concurrency }: SdkRunRequest): Promise<SdkRunResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      const at = performance.now();
      try {
        const out = (await send(call)) as { Item?: unknown; Items?: unknown[] };
        if (call.op === 'GetItem' ? out.Item === undefined : (out.Items ?? []).length === 0) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - at);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { requests: latencies.length, errors, seconds: (performance.now() - started) / 1000, latenciesMs: latencies.sort((a, b) => a - b) };
}

await serveRuns(run);
