/**
 * The monthly bill as arithmetic: measured quantities per operation (the bench's usage section)
 * times a workload gives monthly quantities; prices.ts turns each into a line. Pure: no I/O, so
 * every line can be checked by hand and by the tests.
 */
import type { OperationUsage, UsageFigures } from '../sections/usage.js';
import { PRICES, type Price, type PriceName } from './prices.js';
import type { TemplateFacts } from './template-facts.js';

export interface Workload {
  readonly users: number;
  readonly uploads: number;
  /** Read calls besides those an upload or an order makes, split by `queryMix`. */
  readonly apiCalls: number;
  readonly orders: number;
  readonly subscribers: number;
  readonly subscriberHoursPerDay: number;
  readonly days: number;
  /** Shares of the API calls that are `file(id)` and `files(limit: 20)`; they sum to 1. */
  readonly queryMix: { readonly file: number; readonly files: number };
}

/** Issue 20's default workload. */
export const DEFAULT_WORKLOAD: Workload = {
  users: 10_000,
  uploads: 100_000,
  apiCalls: 1_000_000,
  orders: 50_000,
  subscribers: 1_000,
  subscriberHoursPerDay: 8,
  days: 30,
  queryMix: { file: 0.5, files: 0.5 },
};

/**
 * Lambda's own START, END and REPORT lines per invocation (REPORT with an X-Ray segment), bytes:
 * their documented format with a request id, durations and memory; an estimate, not measured.
 */
export const PLATFORM_LOG_BYTES = 400;
/** SQS requests per message a Lambda event source mapping consumes: SNS's send, the receive, the delete. */
export const SQS_REQUESTS_PER_MESSAGE = 3;
const GIB = 1024 ** 3;

export interface Quantity {
  readonly price: PriceName;
  readonly quantity: number;
  /** How the quantity was derived, in words, for the report. */
  readonly basis: string;
}

export interface Line extends Quantity {
  readonly service: string;
  readonly item: string;
  readonly unit: string;
  readonly usd: number;
  /** After the monthly allowance that never expires. */
  readonly usdAfterFree: number;
}

const kinds = (usage: UsageFigures, w: Workload): readonly { readonly label: string; readonly count: number; readonly usage: OperationUsage }[] => [
  { label: 'upload', count: w.uploads, usage: usage.upload },
  { label: 'file(id)', count: w.apiCalls * w.queryMix.file, usage: usage.fileQuery },
  { label: 'files(limit: 20)', count: w.apiCalls * w.queryMix.files, usage: usage.filesQuery },
  { label: 'order', count: w.orders, usage: usage.order },
];

/** Σ over operation kinds of count × `pick(usage)`. */
const sumKinds = (usage: UsageFigures, w: Workload, pick: (u: OperationUsage) => number) => kinds(usage, w).reduce((s, k) => s + k.count * pick(k.usage), 0);

const callsMatching = (u: OperationUsage, pattern: RegExp, field: 'calls' | 'readUnits' | 'writeUnits' | 'bytes') =>
  Object.entries(u.calls).filter(([key]) => pattern.test(key)).reduce((s, [, c]) => s + c[field], 0);

/** Monthly invocations and GB-seconds per function. */
export function lambdaUsage(usage: UsageFigures, facts: TemplateFacts, w: Workload): { name: string; invocations: number; gbSeconds: number; architecture: string; logBytes: number }[] {
  const byFunction = new Map<string, { invocations: number; gbSeconds: number; architecture: string; logBytes: number }>();
  for (const k of kinds(usage, w)) {
    for (const [name, f] of Object.entries(k.usage.functions)) {
      const settings = facts.functions[name] ?? { memoryMb: f.memoryMb || 128, architecture: 'x86_64' };
      const invocations = k.count * f.invocations;
      // Lambda bills duration rounded up to the millisecond.
      const gbSeconds = invocations * (Math.ceil(f.meanMs) / 1000) * (settings.memoryMb / 1024);
      const entry = byFunction.get(name) ?? { invocations: 0, gbSeconds: 0, architecture: settings.architecture, logBytes: 0 };
      entry.invocations += invocations;
      entry.gbSeconds += gbSeconds;
      entry.logBytes += invocations * (f.logBytes + PLATFORM_LOG_BYTES);
      byFunction.set(name, entry);
    }
  }
  return [...byFunction].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.gbSeconds - a.gbSeconds);
}

/** X-Ray's default sampling rule: the first request each second, then 5% of the rest (spread evenly over the month). */
export function sampledTraces(requests: number, days: number): number {
  const seconds = days * 86_400;
  return requests <= seconds ? requests : seconds + 0.05 * (requests - seconds);
}

export function monthlyQuantities(usage: UsageFigures, facts: TemplateFacts, w: Workload): Quantity[] {
  const fns = lambdaUsage(usage, facts, w);
  const invocations = fns.reduce((s, f) => s + f.invocations, 0);
  const armGbs = fns.filter((f) => f.architecture === 'arm64').reduce((s, f) => s + f.gbSeconds, 0);
  const x86Gbs = fns.filter((f) => f.architecture !== 'arm64').reduce((s, f) => s + f.gbSeconds, 0);
  const queueInvocations = fns.filter((f) => facts.queueConsumers.includes(f.name)).reduce((s, f) => s + f.invocations, 0);
  const logGb = fns.reduce((s, f) => s + f.logBytes, 0) / GIB;
  const appsyncOps = sumKinds(usage, w, (u) => u.appsyncOperations);
  const s3Stored = (w.uploads * callsMatching(usage.upload, /^s3:(presigned )?PutObject$/, 'bytes')) / GIB;
  const connectionMinutes = w.subscribers * w.subscriberHoursPerDay * 60 * w.days;
  const q = (price: PriceName, quantity: number, basis: string): Quantity => ({ price, quantity, basis });
  return [
    q('appsyncOperations', appsyncOps, 'the clients\' queries and mutations, and one IAM publish mutation per real-time event (measured per upload and per order)'),
    q('appsyncRealtime', sumKinds(usage, w, (u) => u.realtimeMessages), 'events received by the owner\'s subscription, measured per upload and per order'),
    q('appsyncConnection', connectionMinutes, `${w.subscribers} subscribers x ${w.subscriberHoursPerDay} h x 60 x ${w.days} days`),
    q('lambdaRequests', invocations, 'invocations per operation (measured) x operations'),
    q('lambdaArmGbSecond', armGbs, 'invocations x mean measured duration (rounded up to 1 ms) x the template\'s memory'),
    ...(x86Gbs > 0 ? [q('lambdaX86GbSecond', x86Gbs, 'as above, x86_64 functions')] : []),
    q('dynamoRead', sumKinds(usage, w, (u) => callsMatching(u, /^dynamodb:/, 'readUnits')), 'read units DynamoDB Local reported consumed per operation (ReturnConsumedCapacity: TOTAL)'),
    q('dynamoWrite', sumKinds(usage, w, (u) => callsMatching(u, /^dynamodb:/, 'writeUnits')), 'write units DynamoDB Local reported consumed per operation, indexes included'),
    q('s3Put', sumKinds(usage, w, (u) => callsMatching(u, /^s3:(presigned )?(PutObject|CopyObject|PostObject|ListObjectsV2)$/, 'calls')), 'PUT/COPY/POST/LIST calls per operation, the client\'s signed PUT included'),
    q('s3Get', sumKinds(usage, w, (u) => callsMatching(u, /^s3:(presigned )?(GetObject|HeadObject)$/, 'calls')), 'GET/HEAD calls per operation (the clients\' thumbnail downloads are not in the workload)'),
    q('s3Storage', s3Stored, 'bytes PUT per upload (original, sanitized copy, thumbnails) x uploads: one month\'s files; it grows by this each month they are kept'),
    q('snsPublish', sumKinds(usage, w, (u) => callsMatching(u, /^sns:Publish/, 'calls')) + w.uploads * facts.bucketNotificationsPerObject, 'Publish calls per operation, plus the bucket\'s ObjectCreated notification per upload (template)'),
    q('sqsRequests', queueInvocations * SQS_REQUESTS_PER_MESSAGE + sumKinds(usage, w, (u) => callsMatching(u, /^sqs:/, 'calls')), `invocations of the queue consumers x ${SQS_REQUESTS_PER_MESSAGE} (SNS's send, the poller's receive, the delete), plus the functions' own SQS calls; idle long polling not included`),
    q('sfnTransitions', w.orders * usage.order.stateTransitions, 'states entered per order execution (its history) x orders'),
    q('logsIngest', logGb, `bytes each function wrote per invocation (measured) + ${PLATFORM_LOG_BYTES} for Lambda's START/END/REPORT lines`),
    q('logsStorage', logGb * (facts.logRetentionDays / 30), `ingested GB x ${facts.logRetentionDays} days retention / 30 (steady state)`),
    q('xrayTraces', sampledTraces((facts.apiTracing ? appsyncOps : 0) + queueInvocations, w.days), 'traced entry requests (AppSync operations, queue-triggered invocations) under the default sampling rule'),
    q('cognitoEssentials', w.users, 'every user signs in at least once a month (template: Essentials tier)'),
    q('alarms', facts.alarms, 'alarms in the template'),
    q('dashboards', facts.dashboards, 'dashboards in the template'),
    q('kmsKey', facts.kmsKeys, 'customer managed keys in the template'),
  ];
}

export function priceLine(quantity: Quantity, prices: Readonly<Record<PriceName, Price>> = PRICES): Line {
  const p = prices[quantity.price];
  const usd = (quantity.quantity / p.per) * p.usd;
  const usdAfterFree = (Math.max(0, quantity.quantity - p.free) / p.per) * p.usd;
  return { ...quantity, service: p.service, item: p.item, unit: p.unit, usd, usdAfterFree };
}

export function bill(usage: UsageFigures, facts: TemplateFacts, w: Workload): { lines: Line[]; total: number; totalAfterFree: number } {
  const lines = monthlyQuantities(usage, facts, w).map((q) => priceLine(q));
  return { lines, total: lines.reduce((s, l) => s + l.usd, 0), totalAfterFree: lines.reduce((s, l) => s + l.usdAfterFree, 0) };
}
