import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedApp, startApp } from '../apps/start-app.js';
import { type Credentials, graphql } from '../support/graphql-client.js';

/**
 * test/apps/events-orders: an AMAZON_EVENTBRIDGE data source (`addEventBridgeDataSource`) on a
 * custom bus, whose rule (an event pattern with a numeric match on the detail) delivers to an
 * SQS queue. Started with `--app-dir`; the queue is read with the AWS SDK at the endpoint and
 * with the developer credentials the start-up prints.
 */
let app: StartedApp;
let key: Credentials;
let sqs: SQSClient;

beforeAll(async () => {
  app = await startApp('events-orders');
  key = { kind: 'apiKey', apiKey: app.apiKey };
  const out = app.output();
  const endpoint = /SQS \+ SNS\s+(http:\/\/\S+)/.exec(out)?.[1];
  const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(out)?.[1];
  const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(out)?.[1];
  if (!endpoint || !accessKeyId || !secretAccessKey) throw new Error(`start-up output lacks the SQS endpoint or credentials:\n${out}`);
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
}, 180_000);

afterAll(async () => {
  sqs?.destroy();
  await app?.stop();
});

describe('an EventBridge data source with a rule delivering to a queue (--app-dir)', () => {
  it('given orders of 150 and 50, when placed, then PutEvents answers event ids and only the order over 100 reaches the queue', async () => {
    const big = await graphql<{ placeOrder: { id: string; eventId: string } }>(app.graphqlUrl, key, 'mutation { placeOrder(id: "o1", total: 150) { id eventId } }');
    expect(big.errors).toBeUndefined();
    expect(big.data?.placeOrder.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const small = await graphql<{ placeOrder: { id: string } }>(app.graphqlUrl, key, 'mutation { placeOrder(id: "o2", total: 50) { id eventId } }');
    expect(small.data?.placeOrder.id).toBe('o2');

    const queues = await sqs.send(new ListQueuesCommand({}));
    const queueUrl = queues.QueueUrls?.find((url) => url.includes('BigOrders'));
    expect(queueUrl).toBeDefined();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
    const events = (received.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as { id: string; source: string; 'detail-type': string; detail: { orderId: string } });
    expect(events.map((e) => [e.source, e['detail-type'], e.detail.orderId])).toEqual([['shop.orders', 'OrderPlaced', 'o1']]);
    expect(events[0]?.id).toBe(big.data?.placeOrder.eventId);
  });
});
