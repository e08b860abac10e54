/**
 * SNS, SQS, S3 bucket notifications, Lambda event source mappings and EventBridge schedules on
 * the local stack, built from the synthesized template (template.ts) with AWS's delivery
 * semantics (queue.ts, topic.ts, event-source-mapping.ts), and reachable by the real AWS SDK
 * clients through one endpoint (api.ts).
 *
 * Two phases, because the endpoint goes into every function's environment before the functions
 * exist: `createMessaging` listens and creates the queues and topics; `start` connects the
 * functions (event source mappings, schedules, asynchronous invocations).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import type { SigningCredential } from '../auth/sigv4.js';
import { asPortInUse } from '../http/dual-server.js';
import { isAllowed } from '../cdk/iam-policy.js';
import { type CfnTemplate, type LocalValues, resolveIntrinsics } from '../cdk/template.js';
import type { RoleSpec } from '../cdk/topology.js';
import { type MessagingRegistry, type MoveTask, createMessagingApi } from './api.js';
import { QueueEventSourceMapping } from './event-source-mapping.js';
import { LocalQueue } from './queue.js';
import { QueueJournal } from './queue-journal.js';
import { type BucketNotificationSpec, type MessagingTopology, readMessaging } from './template.js';
import { LocalTopic } from './topic.js';
import { queueArn, queueUrl, topicArn } from './names.js';

export { readMessaging } from './template.js';

export interface MessagingPrincipal extends SigningCredential {
  /** The role whose policy authorizes this principal; undefined for the developer (full access). */
  readonly roleLogicalId: string | undefined;
}

export interface MessagingOptions {
  readonly template: CfnTemplate;
  readonly region: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly principals: readonly MessagingPrincipal[];
  readonly log: (line: string) => void;
  /** Keeps each queue's messages in `<dir>/<queue name>.jsonl`, across restarts and kills. @default in memory */
  readonly queueDir?: string | null;
}

export interface MessagingFaultOptions {
  /**
   * Deliver this SNS message to this subscription twice (SNS delivers at least once). Tests and
   * the soak script use it; never set by `npm start`.
   */
  readonly duplicateDelivery?: (delivery: { readonly topicName: string; readonly message: string }) => boolean;
}

export interface MessagingStartOptions {
  readonly roles: ReadonlyMap<string, RoleSpec>;
  readonly values: LocalValues;
  readonly bucketName: (logicalId: string) => string;
  /** The template's functions that run locally. */
  readonly functionExists: (logicalId: string) => boolean;
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  /** Delays between Lambda's asynchronous retries (AWS: about 1 and 2 minutes). */
  readonly asyncRetryDelaysMs: readonly number[];
  /** After a failed invocation, a message is visible again after this many ms (AWS: the rest of its visibility timeout). */
  readonly retryDelayMs?: number;
  /** Runs scheduled rules this often instead of their rate (AWS: the rate). */
  readonly scheduleIntervalMs?: number;
  /** Batches of one event source mapping in flight at once, unless the template sets ScalingConfig. @default 2 */
  readonly pollersPerMapping?: number;
  readonly faults?: MessagingFaultOptions;
}

export interface Messaging {
  /** AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_SNS. */
  readonly endpoint: string;
  readonly topology: MessagingTopology;
  readonly queues: ReadonlyMap<string, LocalQueue>;
  readonly topics: ReadonlyMap<string, LocalTopic>;
  start(options: MessagingStartOptions): void;
  /** Routes an S3 ObjectCreated event as the bucket's notification configuration says. */
  objectCreated(event: S3Event): void;
  stop(): Promise<void>;
}

export async function createMessaging(options: MessagingOptions): Promise<Messaging> {
  const { template, region, log } = options;
  const topology = readMessaging(template);
  const server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(asPortInUse(error, options.port ?? 0, { service: 'SQS and SNS' })));
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;

  const queues = new Map<string, LocalQueue>();
  const byArn = new Map<string, LocalQueue>();
  const lookup = (arn: string) => byArn.get(arn);
  const arnOfQueue = new Map<string, string>();
  for (const q of topology.queues) arnOfQueue.set(q.logicalId, queueArn(region, q.name));
  for (const q of topology.queues) {
    const queue = new LocalQueue(
      {
        name: q.name,
        arn: queueArn(region, q.name),
        url: queueUrl(endpoint, q.name),
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        retentionSeconds: q.retentionSeconds,
        delaySeconds: q.delaySeconds,
        receiveWaitSeconds: q.receiveWaitSeconds,
        redrive:
          q.redrive === undefined
            ? undefined
            : { deadLetterTargetArn: arnOfQueue.get(q.redrive.deadLetterLogicalId) ?? '', maxReceiveCount: q.redrive.maxReceiveCount },
      },
      lookup,
      Date.now,
      options.queueDir ? new QueueJournal(join(options.queueDir, `${q.name}.jsonl`)) : undefined,
    );
    queues.set(q.logicalId, queue);
    byArn.set(queue.spec.arn, queue);
  }

  let faults: MessagingFaultOptions = {};
  let started: MessagingStartOptions | undefined;
  const invokeAsync = (functionLogicalId: string, event: unknown) => {
    if (started === undefined) return;
    void invokeWithRetries(functionLogicalId, event, started.invoke, started.asyncRetryDelaysMs, log);
  };

  const topics = new Map<string, LocalTopic>();
  const topicsByArn = new Map<string, LocalTopic>();
  for (const t of topology.topics) {
    const topic: LocalTopic = new LocalTopic(topicArn(region, t.name), t.name, {
      invokeAsync,
      log,
      duplicate: (message) => faults.duplicateDelivery?.({ topicName: t.name, message }) ?? false,
    });
    topics.set(t.logicalId, topic);
    topicsByArn.set(topic.arn, topic);
  }
  for (const s of topology.subscriptions) {
    const topic = topics.get(s.topicLogicalId);
    if (topic === undefined) continue;
    const queue = s.endpointLogicalId === undefined ? undefined : queues.get(s.endpointLogicalId);
    topic.subscriptions.push({
      arn: `${topic.arn}:${s.logicalId}`,
      protocol: s.protocol,
      endpoint: typeof s.endpoint === 'string' ? s.endpoint : (s.endpointLogicalId ?? ''),
      raw: s.rawMessageDelivery,
      filterPolicy: s.filterPolicy,
      filterPolicyScope: s.filterPolicyScope,
      ...(queue === undefined ? {} : { queue }),
      ...(s.protocol === 'lambda' && s.endpointLogicalId !== undefined ? { functionLogicalId: s.endpointLogicalId } : {}),
    });
  }

  const moveTasks: MoveTask[] = [];
  const registry: MessagingRegistry = {
    queueByUrl: (url) => [...queues.values()].find((q) => q.spec.url === url || url.endsWith(`/${q.spec.name}`)),
    queueByName: (name) => [...queues.values()].find((q) => q.spec.name === name),
    queueByArn: lookup,
    queues: () => [...queues.values()],
    topicByArn: (arn) => topicsByArn.get(arn),
    startMoveTask(sourceArn, destinationArn) {
      const source = lookup(sourceArn);
      if (source === undefined) throw new Error(`No queue ${sourceArn}`);
      const moved = source.moveVisibleTo((message) => {
        const target = lookup(destinationArn ?? message.sourceArn ?? '');
        if (target === undefined) throw new Error(`No destination for a message of ${sourceArn}`);
        target.send({ body: message.body, attributes: message.attributes, senderId: 'AIDALOCALREDRIVE' });
      });
      const task: MoveTask = {
        TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
        Status: 'COMPLETED',
        SourceArn: sourceArn,
        ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn }),
        ApproximateNumberOfMessagesMoved: moved,
        ApproximateNumberOfMessagesToMove: moved,
        StartedTimestamp: Date.now(),
      };
      moveTasks.push(task);
      return { taskHandle: task.TaskHandle, moved };
    },
    moveTasks: (sourceArn) => moveTasks.filter((t) => t.SourceArn === sourceArn),
  };

  const credentials = new Map(options.principals.map((p) => [p.accessKeyId, p]));
  let authorize: (principal: MessagingPrincipal, action: string, resource: string) => boolean = () => false;
  const api = createMessagingApi({
    registry,
    credentials: (id) => credentials.get(id),
    authorize: (principal, action, resource) => authorize(principal, action, resource),
    region,
  });
  server.on('request', (request, response) => {
    void api(request, response).catch((error: unknown) => {
      log(`messaging: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  const mappings: QueueEventSourceMapping[] = [];
  const timers: NodeJS.Timeout[] = [];

  return {
    endpoint,
    topology,
    queues,
    topics,
    start(startOptions) {
      started = startOptions;
      faults = startOptions.faults ?? {};
      const statements = new Map(
        [...startOptions.roles.values()].map((role) => [
          role.logicalId,
          role.statements.map((s) => ({ ...s, Resource: resolveIntrinsics(s.Resource, startOptions.values) })),
        ]),
      );
      authorize = (principal, action, resource) =>
        principal.roleLogicalId === undefined || isAllowed(statements.get(principal.roleLogicalId) ?? [], action, resource);

      for (const spec of topology.mappings) {
        const queue = queues.get(spec.queueLogicalId);
        if (!spec.enabled || queue === undefined || !startOptions.functionExists(spec.functionLogicalId)) continue;
        const mapping = new QueueEventSourceMapping({
          functionLogicalId: spec.functionLogicalId,
          queue,
          region,
          batchSize: spec.batchSize,
          maximumBatchingWindowSeconds: spec.maximumBatchingWindowSeconds,
          reportBatchItemFailures: spec.reportBatchItemFailures,
          concurrency: spec.maximumConcurrency ?? startOptions.pollersPerMapping ?? 2,
          retryDelayMs: startOptions.retryDelayMs,
          invoke: startOptions.invoke,
          log,
        });
        mapping.start();
        mappings.push(mapping);
      }
      for (const schedule of topology.schedules) {
        const every = startOptions.scheduleIntervalMs ?? schedule.periodMs;
        const timer = setInterval(() => {
          for (const fn of schedule.functionLogicalIds) {
            if (!startOptions.functionExists(fn)) continue;
            invokeAsync(fn, {
              version: '0',
              id: randomUUID(),
              'detail-type': 'Scheduled Event',
              source: 'aws.events',
              account: '123456789012',
              time: new Date().toISOString(),
              region,
              resources: [`arn:aws:events:${region}:123456789012:rule/${schedule.logicalId}`],
              detail: {},
            });
          }
        }, every);
        timer.unref();
        timers.push(timer);
      }
    },
    objectCreated(event) {
      if (started === undefined) return;
      for (const record of event.Records) {
        const key = safeDecode(record.s3.object.key);
        for (const notification of topology.notifications) {
          if (!matches(notification, started.bucketName(notification.bucketLogicalId), record.s3.bucket.name, `s3:${record.eventName}`, key)) continue;
          const message = JSON.stringify({ Records: [record] });
          const target = notification.target;
          if (target.kind === 'lambda') invokeAsync(target.functionLogicalId, { Records: [record] });
          else if (target.kind === 'topic') topics.get(target.topicLogicalId)?.publish({ message, subject: 'Amazon S3 Notification' });
          else queues.get(target.queueLogicalId)?.send({ body: message, senderId: 'AIDAJDPLRKLG7UEXAMPLE' });
        }
      }
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(mappings.map((m) => m.stop()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const safeDecode = (key: string): string => {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
};

const matchesEvent = (pattern: string, eventName: string) =>
  pattern.endsWith('*') ? eventName.startsWith(pattern.slice(0, -1)) : pattern === eventName;

function matches(n: BucketNotificationSpec, bucketName: string, eventBucket: string, eventName: string, key: string): boolean {
  return (
    bucketName === eventBucket &&
    n.events.some((e) => matchesEvent(e, eventName)) &&
    (n.prefix === undefined || key.startsWith(n.prefix)) &&
    (n.suffix === undefined || key.endsWith(n.suffix))
  );
}

/**
 * An asynchronous invocation (S3 -> Lambda, SNS -> Lambda, EventBridge -> Lambda): a failed one
 * is retried `retryDelaysMs.length` times, then dropped with a log line.
 */
export async function invokeWithRetries(
  functionLogicalId: string,
  event: unknown,
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
  retryDelaysMs: readonly number[],
  log: (line: string) => void,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await invoke(functionLogicalId, event);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const delay = retryDelaysMs[attempt];
      if (delay === undefined) {
        log(`${functionLogicalId}: asynchronous invocation failed for good after ${attempt + 1} attempts: ${reason}`);
        return;
      }
      log(`${functionLogicalId}: asynchronous invocation failed (${reason}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** What `startLocalStack({ messaging })` accepts: the documented local differences, and faults. */
export interface LocalMessagingOptions extends MessagingFaultOptions {
  /** Port of the SQS/SNS endpoint. @default 4576, 0 (free) when ephemeral */
  readonly port?: number;
  readonly retryDelayMs?: number;
  readonly scheduleIntervalMs?: number;
  readonly pollersPerMapping?: number;
}
