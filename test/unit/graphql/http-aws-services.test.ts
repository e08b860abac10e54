import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { notRun } from '../../../local/cdk/not-run.js';
import type { Topology } from '../../../local/cdk/topology.js';
import { httpDataSource } from '../../../local/graphql/data-sources/http.js';
import type { DataSourceDeps, EventEntry } from '../../../local/graphql/data-sources/types.js';

/**
 * HTTP data sources whose endpoint is an AWS service's own (AWS's "Using HTTP resolvers to call
 * AWS services"; aws-cdk-examples' appsync-graphql-eventbridge, serverless-patterns'
 * cdk-appsync-sns): locally they reach the local service, never the internet.
 */
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' };
const iam = (service: string, host: string) => ({
  Endpoint: `https://${host}/`,
  AuthorizationConfig: { AuthorizationType: 'AWS_IAM', AwsIamConfig: { SigningRegion: 'us-east-1', SigningServiceName: service } },
});
const noFunctions: DataSourceDeps['invokeFunction'] = async () => null;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('an HTTP data source calling EventBridge', () => {
  it('given AWSEvents.PutEvents on the events endpoint, when run, then the entries go on the local bus and the answer is EventBridge\'s', async () => {
    const put: { bus: unknown; entries: readonly EventEntry[] }[] = [];
    const source = httpDataSource('Events', { HttpConfig: { ...iam('events', 'events.us-east-1.amazonaws.com') } }, {
      invokeFunction: noFunctions,
      signingCredentials: credentials,
      putEvents: async (bus, entries) => {
        put.push({ bus, entries });
        return { eventIds: entries.map((_, i) => `id-${put.length}-${i}`) };
      },
    });
    const outcome = await source.run({
      method: 'POST',
      resourcePath: '/',
      params: {
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
        body: { Entries: [{ Source: 'appsync', EventBusName: 'default', DetailType: 'Thing', Detail: '{ "event": "hello"}' }, { Source: 'appsync', DetailType: 'Bad', Detail: 'not json' }] },
      },
    });
    expect(put).toEqual([{ bus: 'default', entries: [{ source: 'appsync', detailType: 'Thing', detail: '{ "event": "hello"}' }] }]);
    expect(outcome.ok).toBe(true);
    const result = (outcome as { result: { statusCode: number; body: string } }).result;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ FailedEntryCount: 1, Entries: [{ EventId: 'id-1-0' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }] });
  });
});

describe('an HTTP data source calling SNS or SQS', () => {
  it('given the SNS endpoint, when run, then the request goes to the local endpoint, signed for the service', async () => {
    const received: { path: string; authorization: string; body: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', authorization: String(request.headers.authorization), body });
        response.writeHead(200, { 'content-type': 'text/xml' }).end('<PublishResponse/>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const source = httpDataSource('Sns', { HttpConfig: iam('sns', 'sns.us-east-1.amazonaws.com') }, {
      invokeFunction: noFunctions,
      signingCredentials: credentials,
      awsServiceEndpoints: { sns: local },
    });
    const outcome = await source.run({ method: 'POST', resourcePath: '/', params: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=Publish&Message=hi' } });
    expect(outcome).toMatchObject({ ok: true, result: { statusCode: 200, body: '<PublishResponse/>' } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/', body: 'Action=Publish&Message=hi' });
    expect(received[0]?.authorization).toContain('Credential=AKIDLOCAL/');
    expect(received[0]?.authorization).toContain('/us-east-1/sns/aws4_request');
  });

  it('given an AWS service the local stack does not serve, when run, then it fails naming the host, without the network', async () => {
    const source = httpDataSource('Sync', { HttpConfig: iam('states', 'sync-states.us-east-1.amazonaws.com') }, { invokeFunction: noFunctions, signingCredentials: credentials, awsServiceEndpoints: {} });
    const outcome = await source.run({ method: 'POST', resourcePath: '/', params: { body: '{}' } });
    expect(outcome).toEqual({ ok: false, error: { type: 'HttpError', message: 'Sync: sync-states.us-east-1.amazonaws.com is an AWS service the local stack does not serve' } });
  });
});

describe('the start-up table of what is not run', () => {
  it('given HTTP data sources on AWS hosts, when the table is made, then only the one on a service the stack does not serve is listed', () => {
    const http = (logicalId: string, endpoint: unknown) => [logicalId, { logicalId, name: logicalId, type: 'HTTP', functionLogicalId: undefined, tableLogicalId: undefined, properties: { HttpConfig: { Endpoint: endpoint } } }] as const;
    const region = { Ref: 'AWS::Region' };
    const topology = {
      apis: [{
        schema: 'type Query { a: String }',
        dataSources: new Map([
          http('Bedrock', { 'Fn::Join': ['', ['https://bedrock-runtime.', region, '.amazonaws.com']] }),
          http('Sns', { 'Fn::Join': ['', ['https://sns.', region, '.amazonaws.com']] }),
          http('Public', 'https://jsonplaceholder.typicode.com'),
        ]),
        resolvers: [],
      }],
      skippedFunctions: [],
    } as unknown as Topology;
    expect(notRun({ Resources: {} }, topology).filter((row) => row.type.startsWith('AWS::AppSync::DataSource'))).toEqual([
      { what: 'Bedrock', type: 'AWS::AppSync::DataSource (HTTP bedrock-runtime)', reason: 'an AWS service the local stack does not serve: its resolvers answer an HttpError' },
    ]);
  });
});
