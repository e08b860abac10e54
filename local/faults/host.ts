/**
 * Faults applied by the worker that hosts a function (local/lambda/worker-entry.ts), from
 * outside the handler: the handler's code and environment are those it is deployed with, and it
 * meets the faults where it would meet real ones, in its AWS SDK calls (./sdk-middleware.ts).
 *
 * - `dynamodb-throttle`: every DynamoDB client the function creates answers the throttled
 *   attempts with DynamoDB's 400, and the function's output gets one JSON line per throttled
 *   attempt (`"fault": "dynamodb-throttle"`), so tests and soak runs can count them.
 * - `step-error` / `step-delay`: the worker knows which step the function runs (its entry) and
 *   reads each invocation's event before the handler does: the SQS message's receive count and
 *   the S3 object (whose file record names the file), or the order (whose record has the
 *   clientToken). A matching rule holds, then fails, the call the step's work begins with: the
 *   step's read of the original (S3 GetObject), the sale's transaction (DynamoDB
 *   TransactWriteItems). So the step records the error and is retried as for any failed read.
 */
import type { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseOriginalKey } from '../../resolvers/files/domain/keys.js';
import { objectRefsOf, receiveCountOf } from '../../resolvers/files/handlers/sqs-messages.js';
import { type FaultConfig, type Faults, type InjectedFault, type StepFaultContext, createFaults } from './rules.js';
import { type SdkClient, installBeforeCall, installThrottling, onEveryClient } from './sdk-middleware.js';

type Handler = (event: unknown, context: unknown) => unknown;
type Env = Readonly<Record<string, string | undefined>>;
type Item = Readonly<Record<string, { readonly S?: string; readonly M?: Item } | undefined>>;
/** One item of a table of the function's, by `id`; undefined when there is none (or it could not be read). */
type Lookup = (table: string | undefined, id: string) => Promise<Item | undefined>;

/** The call a step's work begins with: on which SDK client, which command, for which subject. */
interface WorkStart {
  readonly package: string;
  readonly client: string;
  readonly serviceId: string;
  readonly command: string;
  /** The subject a call of the command is about (what `subjects` keys its plans by). */
  readonly subjectOf: (input: Record<string, unknown>) => string | undefined;
}

/** What one invocation of a step is about, and what the rules match on. */
interface Subject {
  readonly key: string;
  readonly context: StepFaultContext;
}

interface StepHost {
  readonly step: string;
  readonly work: WorkStart;
  subjects(event: unknown, env: Env, lookup: Lookup): Promise<Subject[]>;
}

const S3_GET_OBJECT: WorkStart = {
  package: '@aws-sdk/client-s3',
  client: 'S3Client',
  serviceId: 'S3',
  command: 'GetObjectCommand',
  subjectOf: (input) => (typeof input['Key'] === 'string' ? input['Key'] : undefined),
};

/** PROCESS and THUMBNAIL: one subject per original upload the SQS batch names. */
function pipelineStep(step: 'PROCESS' | 'THUMBNAIL'): StepHost {
  return {
    step,
    work: S3_GET_OBJECT,
    async subjects(event, env, lookup) {
      const subjects: Subject[] = [];
      for (const record of (event as { Records?: SQSRecord[] } | null)?.Records ?? []) {
        let refs: ReturnType<typeof objectRefsOf> = [];
        try {
          refs = objectRefsOf(record.body, env['UPLOADS_BUCKET'] ?? '');
        } catch {
          continue; // Not an S3 event: the handler says so.
        }
        for (const ref of refs) {
          const parsed = parseOriginalKey(ref.key);
          if (parsed === null) continue;
          const file = await lookup(env['FILES_TABLE'], parsed.fileId);
          const error = file?.['error']?.M;
          // A message redriven from the dead-letter queue finds its file FAILED by this very step.
          const redriven = file?.['status']?.S === 'FAILED' && error?.['code']?.S === 'RETRIES_EXHAUSTED' && error['step']?.S === step;
          subjects.push({
            key: ref.key,
            context: { fileId: parsed.fileId, fileName: file?.['fileName']?.S ?? '', receiveCount: receiveCountOf(record), redriven },
          });
        }
      }
      return subjects;
    },
  };
}

const SALE = 'sale';

/** RECORD_SALE: the order; its attempts in this execution environment count as receives. */
function recordSale(): StepHost {
  const attempts = new Map<string, number>();
  return {
    step: 'RECORD_SALE',
    work: { package: '@aws-sdk/client-dynamodb', client: 'DynamoDBClient', serviceId: 'DynamoDB', command: 'TransactWriteItemsCommand', subjectOf: () => SALE },
    async subjects(event, env, lookup) {
      const orderId = (event as { orderId?: unknown } | null)?.orderId;
      if (typeof orderId !== 'string') return [];
      const receiveCount = (attempts.get(orderId) ?? 0) + 1;
      attempts.set(orderId, receiveCount);
      const order = await lookup(env['ORDERS_TABLE'], orderId);
      return [{ key: SALE, context: { fileId: orderId, fileName: order?.['clientToken']?.S ?? '', receiveCount } }];
    },
  };
}

/** The steps step rules name, by the entry of the function that runs each (as the CDK app names it). */
export const STEP_ENTRIES: Readonly<Record<string, () => StepHost>> = {
  'resolvers/files/handlers/process-upload.ts': () => pipelineStep('PROCESS'),
  'resolvers/files/handlers/make-thumbnails.ts': () => pipelineStep('THUMBNAIL'),
  'resolvers/orders/handlers/record-sale.ts': recordSale,
};

export interface HostedFunction {
  /** The function's entry, as the template names it. */
  readonly entry: string;
  /** The module the worker loads: its packages (the handler's AWS SDK) resolve from there. */
  readonly bundlePath: string;
  readonly faults: FaultConfig;
  /** The function's environment. @default process.env (the worker's is the function's) */
  readonly env?: Env;
  /** Where the function's own output goes. @default stdout */
  readonly output?: (line: string) => void;
}

interface Plan {
  readonly delayMs: number;
  readonly fault: InjectedFault | null;
}

/** The handler, with the faults of `fn.faults` that concern it applied around and inside it. */
export function hostWithFaults(handler: Handler, fn: HostedFunction): Handler {
  const faults: Faults = createFaults(fn.faults);
  const env = fn.env ?? process.env;
  const output = fn.output ?? ((line: string) => console.log(line));
  const host = STEP_ENTRIES[fn.entry]?.();
  const stepped = host !== undefined && faults.concerns(host.step) ? host : undefined;
  const require = createRequire(fn.bundlePath);
  /** This invocation's plans, by subject; each is used once. */
  const plans = new Map<string, Plan>();

  let lookupClient: DynamoDBClient | undefined;
  const lookup: Lookup = async (table, id) => {
    if (table === undefined) return undefined;
    const sdk = require('@aws-sdk/client-dynamodb') as { DynamoDBClient: typeof DynamoDBClient; GetItemCommand: typeof GetItemCommand };
    lookupClient ??= new sdk.DynamoDBClient({});
    try {
      const { Item } = await lookupClient.send(new sdk.GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }));
      return Item as Item | undefined;
    } catch {
      return undefined;
    }
  };

  const packages = [
    ...(faults.throttling ? [{ name: '@aws-sdk/client-dynamodb', client: 'DynamoDBClient' }] : []),
    ...(stepped ? [{ name: stepped.work.package, client: stepped.work.client }] : []),
  ];
  onEveryClient(require, packages, (client: SdkClient) => {
    if ((client as unknown) === lookupClient) return;
    const service = client.config.serviceId;
    if (faults.throttling && service === 'DynamoDB') {
      installThrottling(client, faults.throttlesDynamoDb, (commandName, attempt) =>
        // One JSON line per injected fault, so tests and soak runs can count them.
        output(JSON.stringify({ level: 'WARN', message: 'Injected DynamoDB throttling', commandName, attempt, fault: 'dynamodb-throttle' })),
      );
    }
    if (stepped && service === stepped.work.serviceId) {
      installBeforeCall(client, stepped.work.command, async (input) => {
        const subject = stepped.work.subjectOf(input);
        const plan = subject === undefined ? undefined : plans.get(subject);
        if (subject === undefined || plan === undefined) return;
        plans.delete(subject);
        if (plan.delayMs > 0) await sleep(plan.delayMs);
        if (plan.fault !== null) throw plan.fault;
      });
    }
  });

  return async (event, context) => {
    plans.clear();
    if (stepped) {
      for (const { key, context: subject } of await stepped.subjects(event, env, lookup)) {
        const delayMs = faults.stepDelayMs(stepped.step, subject);
        const fault = faults.stepFault(stepped.step, subject);
        if (delayMs > 0 || fault !== null) plans.set(key, { delayMs, fault });
      }
    }
    try {
      return await handler(event, context);
    } finally {
      plans.clear();
    }
  };
}
