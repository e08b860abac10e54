/**
 * SQS's AWS Query protocol on the local endpoint: an AppSync HTTP data source calling SQS
 * (serverless-patterns' cdk-appsync-sqs) sends a form-encoded, SigV4-signed `Action=SendMessage`
 * to `/<account>/<queue>` and reads SQS's XML answer. The JSON protocol's clients read it back.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Messaging, createMessaging } from '../../../local/messaging/index.js';

const REGION = 'us-east-1';
const developer = { accessKeyId: 'AKIADEVELOPER', secretAccessKey: 'developer-secret', roleLogicalId: undefined };

let messaging: Messaging;
beforeAll(async () => {
  messaging = await createMessaging({ template: { Resources: { Work: { Type: 'AWS::SQS::Queue' } } }, region: REGION, principals: [developer], log: () => undefined });
  messaging.start({
    roles: new Map(),
    values: { region: REGION, accountId: '123456789012', ref: (id) => id, getAtt: (id, a) => `${id}.${a}` },
    bucketName: (id) => id,
    functionExists: () => false,
    invoke: async () => null,
    pollersPerMapping: 1,
    asyncRetryDelaysMs: [],
  });
});
afterAll(async () => {
  await messaging?.stop();
});

async function postQuery(path: string, body: string, credentials = developer): Promise<{ status: number; text: string }> {
  const url = new URL(path, messaging.endpoint);
  const signer = new SignatureV4({ credentials, region: REGION, service: 'sqs', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, text: await response.text() };
}

describe('SQS SendMessage in the Query protocol', () => {
  it('given a form-encoded SendMessage to /<account>/<queue>, when posted signed, then SQS\'s XML answer comes back and the message is on the queue', async () => {
    const message = '{"message":"hello"}';
    const { status, text } = await postQuery('/123456789012/Work', `Action=SendMessage&Version=2012-11-05&MessageBody=${encodeURIComponent(message)}`);
    expect(status).toBe(200);
    expect(text).toMatch(/^<SendMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><SendMessageResult><MessageId>[\w-]+<\/MessageId>/);
    expect(text).toContain(`<MD5OfMessageBody>${createHash('md5').update(message).digest('hex')}</MD5OfMessageBody>`);

    const sqs = new SQSClient({ endpoint: messaging.endpoint, region: REGION, credentials: developer });
    try {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: messaging.queues.get('Work')!.spec.url, WaitTimeSeconds: 1 }));
      expect(Messages.map((m) => m.Body)).toEqual([message]);
    } finally {
      sqs.destroy();
    }
  });

  it('given a queue that does not exist, when posted, then the error is SQS\'s Query error', async () => {
    const { status, text } = await postQuery('/123456789012/Nope', 'Action=SendMessage&MessageBody=x');
    expect(status).toBe(400);
    expect(text).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });
});
