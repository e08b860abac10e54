/**
 * The SQS and SNS APIs of the local stack on one HTTP endpoint (AWS_ENDPOINT_URL_SQS and
 * AWS_ENDPOINT_URL_SNS), so the real AWS SDK clients work unchanged:
 * - SQS: the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Operation>`), the operations a
 *   consumer, a producer and a redrive need;
 * - SNS: the AWS Query protocol (form-encoded `Action=Publish`), XML responses; SQS's SendMessage
 *   in the Query protocol too (what AppSync HTTP data sources calling SQS send);
 * Every request must carry a valid SigV4 signature of a known principal (a function's role or
 * the developer), and the principal's policy must allow the action on the resource, as IAM
 * would decide from the template's role policies.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CredentialLookup, type SigningCredential, verifySigV4Request } from '../auth/sigv4.js';
import type { AttributeValue } from './md5.js';
import { type LocalQueue, SqsError } from './queue.js';
import type { LocalTopic } from './topic.js';

export interface MessagingRegistry {
  queueByUrl(url: string): LocalQueue | undefined;
  queueByName(name: string): LocalQueue | undefined;
  queueByArn(arn: string): LocalQueue | undefined;
  queues(): readonly LocalQueue[];
  topicByArn(arn: string): LocalTopic | undefined;
  /** Moves a dead-letter queue's messages back (StartMessageMoveTask). */
  startMoveTask(sourceArn: string, destinationArn: string | undefined): { taskHandle: string; moved: number };
  moveTasks(sourceArn: string): readonly MoveTask[];
}

export interface MoveTask {
  readonly TaskHandle: string;
  readonly Status: 'COMPLETED';
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly StartedTimestamp: number;
}

export interface MessagingApiOptions<C extends SigningCredential> {
  readonly registry: MessagingRegistry;
  readonly credentials: CredentialLookup<C>;
  /** Whether the principal's policy allows `action` on `resource`. */
  readonly authorize: (credential: C, action: string, resource: string) => boolean;
  readonly region: string;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const headersOf = (request: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), Array.isArray(value) ? value.join(',') : value]],
    ),
  );

class AccessError extends SqsError {}

export function createMessagingApi<C extends SigningCredential>(options: MessagingApiOptions<C>) {
  const { registry } = options;

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const headers = headersOf(request);
    const target = headers['x-amz-target'];
    const isSqs = target?.startsWith('AmazonSQS.') ?? false;
    const params = new URLSearchParams(body);
    const sqsQuery = !isSqs && SQS_QUERY_ACTIONS.has(params.get('Action') ?? '');
    const service = isSqs || sqsQuery ? 'sqs' : 'sns';
    const verified = await verifySigV4Request(
      { method: request.method ?? 'POST', path: request.url ?? '/', headers, body },
      options.credentials,
      { service },
    );
    if (isSqs) {
      const operation = (target ?? '').slice('AmazonSQS.'.length);
      try {
        if (!verified.ok) throw new AccessError('InvalidClientTokenId', 'InvalidClientTokenId', verified.reason, 403);
        const input = (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
        const result = await sqs(operation, input, (action, resource) => {
          if (!options.authorize(verified.credential, action, resource)) {
            throw new AccessError('AccessDenied', 'AccessDenied', `not authorized to perform: ${action} on resource: ${resource}`, 403);
          }
        });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
        response.end(JSON.stringify(result));
      } catch (error) {
        const e = error instanceof SqsError ? error : new SqsError('InternalError', 'InternalError', String(error), 500);
        response.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': randomUUID(),
          'x-amzn-query-error': `${e.queryCode};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
        });
        response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${e.code}`, message: e.message }));
      }
      return;
    }
    if (sqsQuery) {
      try {
        if (!verified.ok) throw new AccessError('InvalidClientTokenId', 'InvalidClientTokenId', verified.reason, 403);
        const result = await sqs('SendMessage', sqsQueryInput(params, request.url ?? '/'), (action, resource) => {
          if (!options.authorize(verified.credential, action, resource)) {
            throw new AccessError('AccessDenied', 'AccessDenied', `not authorized to perform: ${action} on resource: ${resource}`, 403);
          }
        });
        const fields = Object.entries(result as Record<string, unknown>).map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`);
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          `<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult>${fields.join('')}</SendMessageResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendMessageResponse>`,
        );
      } catch (error) {
        const e = error instanceof SqsError ? error : new SqsError('InternalError', 'InternalError', String(error), 500);
        response.writeHead(e.status, { 'content-type': 'text/xml' });
        response.end(
          `<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.queryCode}</Code><Message>${escapeXml(e.message)}</Message><Detail/></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      }
      return;
    }
    try {
      if (!verified.ok) throw new AccessError('InvalidClientTokenId', 'InvalidClientTokenId', verified.reason, 403);
      const action = params.get('Action');
      if (action !== 'Publish') throw new SqsError('InvalidAction', 'InvalidAction', `${String(action)} is not supported by the local SNS`, 400);
      const arn = params.get('TopicArn') ?? params.get('TargetArn') ?? '';
      const topic = registry.topicByArn(arn);
      if (topic === undefined) throw new SqsError('NotFound', 'NotFound', 'Topic does not exist', 404);
      if (!options.authorize(verified.credential, 'sns:Publish', arn)) {
        throw new AccessError('AuthorizationError', 'AuthorizationError', `not authorized to perform: SNS:Publish on resource: ${arn}`, 403);
      }
      const message = params.get('Message') ?? '';
      if (message === '') throw new SqsError('InvalidParameter', 'InvalidParameter', 'Invalid parameter: Empty message', 400);
      const subject = params.get('Subject');
      const messageId = topic.publish({ message, ...(subject === null ? {} : { subject }), attributes: queryAttributes(params, 'MessageAttributes.entry') });
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    } catch (error) {
      const e = error instanceof SqsError ? error : new SqsError('InternalError', 'InternalError', String(error), 500);
      response.writeHead(e.status, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  };

  function queueOf(input: Record<string, unknown>): LocalQueue {
    const url = String(input['QueueUrl'] ?? '');
    const queue = registry.queueByUrl(url);
    if (queue === undefined) {
      throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    }
    return queue;
  }

  async function sqs(operation: string, input: Record<string, unknown>, allow: (action: string, resource: string) => void): Promise<unknown> {
    const withQueue = (action: string): LocalQueue => {
      const queue = queueOf(input);
      allow(action, queue.spec.arn);
      return queue;
    };
    switch (operation) {
      case 'SendMessage': {
        const queue = withQueue('sqs:SendMessage');
        return queue.send({
          body: String(input['MessageBody'] ?? ''),
          attributes: (input['MessageAttributes'] ?? {}) as Record<string, AttributeValue>,
          ...(input['DelaySeconds'] === undefined ? {} : { delaySeconds: Number(input['DelaySeconds']) }),
          senderId: 'AIDALOCALSENDER',
        });
      }
      case 'SendMessageBatch': {
        const queue = withQueue('sqs:SendMessage');
        const entries = (input['Entries'] ?? []) as Record<string, unknown>[];
        return {
          Successful: entries.map((entry) => ({
            Id: entry['Id'],
            ...queue.send({
              body: String(entry['MessageBody'] ?? ''),
              attributes: (entry['MessageAttributes'] ?? {}) as Record<string, AttributeValue>,
              ...(entry['DelaySeconds'] === undefined ? {} : { delaySeconds: Number(entry['DelaySeconds']) }),
              senderId: 'AIDALOCALSENDER',
            }),
          })),
          Failed: [],
        };
      }
      case 'ReceiveMessage': {
        const queue = withQueue('sqs:ReceiveMessage');
        const messages = await queue.receive({
          ...(input['MaxNumberOfMessages'] === undefined ? {} : { maxMessages: Number(input['MaxNumberOfMessages']) }),
          ...(input['VisibilityTimeout'] === undefined ? {} : { visibilityTimeoutSeconds: Number(input['VisibilityTimeout']) }),
          ...(input['WaitTimeSeconds'] === undefined ? {} : { waitSeconds: Number(input['WaitTimeSeconds']) }),
          attributeNames: [
            ...((input['AttributeNames'] ?? []) as string[]),
            ...((input['MessageSystemAttributeNames'] ?? []) as string[]),
          ],
          messageAttributeNames: (input['MessageAttributeNames'] ?? []) as string[],
        });
        return messages.length === 0 ? {} : { Messages: messages };
      }
      case 'DeleteMessage':
        withQueue('sqs:DeleteMessage').delete(String(input['ReceiptHandle'] ?? ''));
        return {};
      case 'DeleteMessageBatch': {
        const queue = withQueue('sqs:DeleteMessage');
        return batch(input, (entry) => queue.delete(String(entry['ReceiptHandle'] ?? '')));
      }
      case 'ChangeMessageVisibility':
        withQueue('sqs:ChangeMessageVisibility').changeVisibility(String(input['ReceiptHandle'] ?? ''), Number(input['VisibilityTimeout']));
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const queue = withQueue('sqs:ChangeMessageVisibility');
        return batch(input, (entry) => queue.changeVisibility(String(entry['ReceiptHandle'] ?? ''), Number(entry['VisibilityTimeout'])));
      }
      case 'GetQueueUrl': {
        const queue = registry.queueByName(String(input['QueueName'] ?? ''));
        if (queue === undefined) {
          throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
        }
        allow('sqs:GetQueueUrl', queue.spec.arn);
        return { QueueUrl: queue.spec.url };
      }
      case 'GetQueueAttributes': {
        const queue = withQueue('sqs:GetQueueAttributes');
        const wanted = (input['AttributeNames'] ?? ['All']) as string[];
        const all = queue.attributes();
        return { Attributes: Object.fromEntries(Object.entries(all).filter(([name]) => wanted.includes('All') || wanted.includes(name))) };
      }
      case 'ListQueues': {
        const prefix = String(input['QueueNamePrefix'] ?? '');
        const queues = registry.queues().filter((q) => q.spec.name.startsWith(prefix));
        for (const q of queues) allow('sqs:ListQueues', q.spec.arn);
        return { QueueUrls: queues.map((q) => q.spec.url) };
      }
      case 'ListDeadLetterSourceQueues': {
        const queue = withQueue('sqs:ListDeadLetterSourceQueues');
        return {
          queueUrls: registry
            .queues()
            .filter((q) => q.spec.redrive?.deadLetterTargetArn === queue.spec.arn)
            .map((q) => q.spec.url),
        };
      }
      case 'PurgeQueue':
        withQueue('sqs:PurgeQueue').purge();
        return {};
      case 'StartMessageMoveTask': {
        const sourceArn = String(input['SourceArn'] ?? '');
        if (registry.queueByArn(sourceArn) === undefined) {
          throw new SqsError('ResourceNotFoundException', 'ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter does not exist.');
        }
        allow('sqs:StartMessageMoveTask', sourceArn);
        const destination = input['DestinationArn'] === undefined ? undefined : String(input['DestinationArn']);
        return { TaskHandle: registry.startMoveTask(sourceArn, destination).taskHandle };
      }
      case 'ListMessageMoveTasks': {
        const sourceArn = String(input['SourceArn'] ?? '');
        allow('sqs:ListMessageMoveTasks', sourceArn);
        return { Results: registry.moveTasks(sourceArn) };
      }
      default:
        throw new SqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `${operation} is not supported by the local SQS`);
    }
  }
}

function batch(input: Record<string, unknown>, each: (entry: Record<string, unknown>) => void) {
  const successful: { Id: unknown }[] = [];
  const failed: { Id: unknown; SenderFault: boolean; Code: string; Message: string }[] = [];
  for (const entry of (input['Entries'] ?? []) as Record<string, unknown>[]) {
    try {
      each(entry);
      successful.push({ Id: entry['Id'] });
    } catch (error) {
      const e = error instanceof SqsError ? error : new SqsError('InternalError', 'InternalError', String(error));
      failed.push({ Id: entry['Id'], SenderFault: true, Code: e.code, Message: e.message });
    }
  }
  return { Successful: successful, Failed: failed };
}

/**
 * SQS's AWS Query protocol (form-encoded `Action=SendMessage`, XML answers), which SQS still
 * serves beside JSON: what an AppSync HTTP data source calling SQS sends (AWS's "Using HTTP
 * resolvers to call AWS services"; serverless-patterns' cdk-appsync-sqs). SendMessage only.
 */
const SQS_QUERY_ACTIONS = new Set(['SendMessage']);

/** A Query request's parameters as the JSON input: the queue by `QueueUrl`, or by the path `/<account>/<name>`. */
function sqsQueryInput(params: URLSearchParams, path: string): Record<string, unknown> {
  const attributes = queryAttributes(params, 'MessageAttribute');
  const delay = params.get('DelaySeconds');
  return {
    QueueUrl: params.get('QueueUrl') ?? path,
    MessageBody: params.get('MessageBody') ?? '',
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    ...(delay === null ? {} : { DelaySeconds: delay }),
  };
}

/**
 * A Query request's message attributes, `<list>.N.Name` / `.Value.DataType` / `.Value.StringValue`
 * / `.Value.BinaryValue`: SNS lists them as `MessageAttributes.entry`, SQS as `MessageAttribute`.
 */
function queryAttributes(params: URLSearchParams, list: 'MessageAttributes.entry' | 'MessageAttribute'): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (let n = 1; params.has(`${list}.${n}.Name`); n += 1) {
    const prefix = `${list}.${n}`;
    const name = params.get(`${prefix}.Name`) ?? '';
    const stringValue = params.get(`${prefix}.Value.StringValue`);
    const binaryValue = params.get(`${prefix}.Value.BinaryValue`);
    attributes[name] = {
      DataType: params.get(`${prefix}.Value.DataType`) ?? 'String',
      ...(stringValue === null ? {} : { StringValue: stringValue }),
      ...(binaryValue === null ? {} : { BinaryValue: binaryValue }),
    };
  }
  return attributes;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
