import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKLOAD, PLATFORM_LOG_BYTES, SQS_REQUESTS_PER_MESSAGE, bill, lambdaUsage, monthlyQuantities, priceLine, sampledTraces } from '../../../bench/cost/model.js';
import { PRICES } from '../../../bench/cost/prices.js';
import { templateFacts } from '../../../bench/cost/template-facts.js';
import { costChart, UPLOAD_STEPS } from '../../../bench/cost/report.js';
import type { OperationUsage, UsageFigures } from '../../../bench/sections/usage.js';

const none: OperationUsage = { operations: 1, functions: {}, calls: {}, appsyncOperations: 0, realtimeMessages: 0, stateTransitions: 0, clientPutBytes: 0 };

const usage: UsageFigures = {
  upload: {
    ...none,
    functions: {
      Api: { invocations: 1, meanMs: 9.2, p50Ms: 9, logBytes: 600, memoryMb: 512 },
      Thumbs: { invocations: 1, meanMs: 1_000, p50Ms: 1_000, logBytes: 0, memoryMb: 1024 },
    },
    calls: {
      'dynamodb:UpdateItem': { calls: 2, readUnits: 0, writeUnits: 3, bytes: 0 },
      'dynamodb:GetItem': { calls: 1, readUnits: 1, writeUnits: 0, bytes: 0 },
      's3:presigned PutObject': { calls: 1, readUnits: 0, writeUnits: 0, bytes: 1024 ** 3 / 1000 },
      's3:GetObject': { calls: 2, readUnits: 0, writeUnits: 0, bytes: 0 },
      'sns:Publish': { calls: 2, readUnits: 0, writeUnits: 0, bytes: 0 },
    },
    appsyncOperations: 6,
    realtimeMessages: 5,
  },
  fileQuery: { ...none, calls: { 'dynamodb:GetItem': { calls: 1, readUnits: 1, writeUnits: 0, bytes: 0 } }, appsyncOperations: 1 },
  filesQuery: { ...none, calls: { 'dynamodb:Query': { calls: 1, readUnits: 0.5, writeUnits: 0, bytes: 0 } }, appsyncOperations: 1 },
  order: { ...none, appsyncOperations: 6, realtimeMessages: 5, stateTransitions: 11 },
  facts: {
    functions: { Api: { memoryMb: 512, architecture: 'arm64' }, Thumbs: { memoryMb: 1024, architecture: 'arm64' } },
    queueConsumers: ['Thumbs'],
    alarms: 10,
    dashboards: 1,
    kmsKeys: 1,
    logRetentionDays: 15,
    bucketNotificationsPerObject: 1,
    apiTracing: true,
  },
};

const w = { ...DEFAULT_WORKLOAD, uploads: 1_000, apiCalls: 2_000, orders: 100, users: 50, subscribers: 10, subscriberHoursPerDay: 2, days: 30 };
const quantity = (name: string) => monthlyQuantities(usage, usage.facts, w).find((q) => q.price === name)?.quantity;

describe('monthly quantities', () => {
  it('given 1,000 uploads of 1 read and 3 write units, and 1,000 file(id) and 1,000 files, when summed, then the units add up by kind', () => {
    expect(quantity('dynamoWrite')).toBe(3_000);
    expect(quantity('dynamoRead')).toBe(1_000 + 1_000 + 500);
  });

  it('given a 9.2 ms invocation at 512 MB, when billed, then it is 10 ms (rounded up) of half a GB', () => {
    const api = lambdaUsage(usage, usage.facts, w).find((f) => f.name === 'Api');
    expect(api?.gbSeconds).toBeCloseTo(1_000 * 0.01 * 0.5, 9);
    expect(api?.logBytes).toBe(1_000 * (600 + PLATFORM_LOG_BYTES));
  });

  it('given one queue consumer invoked once per upload, when counted, then SQS requests are three per message', () => {
    expect(quantity('sqsRequests')).toBe(1_000 * SQS_REQUESTS_PER_MESSAGE);
  });

  it('given 2 Publish calls per upload and the bucket notification, when counted, then 3 SNS publishes per upload', () => {
    expect(quantity('snsPublish')).toBe(3_000);
  });

  it('given the client PUT of 1/1000 GiB per upload, when stored, then 1,000 uploads are 1 GiB', () => {
    expect(quantity('s3Storage')).toBeCloseTo(1, 9);
    expect(quantity('s3Put')).toBe(1_000);
    expect(quantity('s3Get')).toBe(2_000);
  });

  it('given AppSync operations and events per upload and order, and subscribers, when counted, then they follow the workload', () => {
    expect(quantity('appsyncOperations')).toBe(1_000 * 6 + 2_000 + 100 * 6);
    expect(quantity('appsyncRealtime')).toBe(1_000 * 5 + 100 * 5);
    expect(quantity('appsyncConnection')).toBe(10 * 2 * 60 * 30);
    expect(quantity('sfnTransitions')).toBe(1_100);
  });
});

describe('priceLine', () => {
  it('given 3 million write units, when priced, then 3 x the per-million price, no free tier', () => {
    const line = priceLine({ price: 'dynamoWrite', quantity: 3e6, basis: '' });
    expect(line.usd).toBeCloseTo(3 * PRICES.dynamoWrite.usd, 9);
    expect(line.usdAfterFree).toBeCloseTo(line.usd, 9);
  });

  it('given 1.5 million Lambda requests, when priced after the free million, then only half a million is billed', () => {
    const line = priceLine({ price: 'lambdaRequests', quantity: 1.5e6, basis: '' });
    expect(line.usd).toBeCloseTo(0.3, 9);
    expect(line.usdAfterFree).toBeCloseTo(0.1, 9);
  });

  it('given usage under the free tier, when priced, then nothing is due after it', () => {
    expect(priceLine({ price: 'cognitoEssentials', quantity: 5_000, basis: '' }).usdAfterFree).toBe(0);
  });
});

describe('bill', () => {
  it('given the lines, when totalled, then the total is their sum and more uploads never cost less', () => {
    const { lines, total } = bill(usage, usage.facts, w);
    expect(total).toBeCloseTo(lines.reduce((s, l) => s + l.usd, 0), 9);
    const more = bill(usage, usage.facts, { ...w, uploads: 2_000 }).total;
    expect(more).toBeGreaterThan(total);
  });
});

describe('sampledTraces', () => {
  it('given fewer requests than seconds in the month, when sampled, then every one is recorded', () => {
    expect(sampledTraces(1_000_000, 30)).toBe(1_000_000);
  });

  it('given more, when sampled, then one a second plus 5% of the rest', () => {
    const seconds = 30 * 86_400;
    expect(sampledTraces(seconds + 1_000_000, 30)).toBeCloseTo(seconds + 50_000, 6);
  });
});

describe('templateFacts', () => {
  it('given a template, when read, then counts alarms, consumers, notifications and memory', () => {
    const facts = templateFacts({
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, Architectures: ['arm64'] } },
        Map: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Fn' } } },
        A1: { Type: 'AWS::CloudWatch::Alarm' },
        A2: { Type: 'AWS::CloudWatch::Alarm' },
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 } },
        N: { Type: 'Custom::S3BucketNotifications', Properties: { NotificationConfiguration: { TopicConfigurations: [{ Events: ['s3:ObjectCreated:*'] }] } } },
      },
    });
    expect(facts.functions['Fn']).toEqual({ memoryMb: 1024, architecture: 'arm64' });
    expect(facts.queueConsumers).toEqual(['Fn']);
    expect(facts.alarms).toBe(2);
    expect(facts.logRetentionDays).toBe(14);
    expect(facts.bucketNotificationsPerObject).toBe(1);
  });
});

describe('costChart', () => {
  it('given the usage, when charted, then two lines over the upload steps', () => {
    const chart = costChart(usage, w);
    expect(chart.file).toBe('cost-vs-uploads.svg');
    expect(chart.svg.split('<path ').length - 1).toBe(2);
    expect(chart.svg.split('<circle ').length - 1).toBe(2 * UPLOAD_STEPS.length);
  });
});
