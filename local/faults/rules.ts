/**
 * Fault injection, for tests and soak runs only: the rules a test starts the local stack with
 * (`startLocalStack({ faults })`) and what each decides. Nothing here is in a deployed bundle:
 * the worker that hosts a function applies the rules from outside the handler (./host.ts,
 * ./sdk-middleware.ts), so a handler is the same code everywhere (see docs/pipeline.md).
 *
 * ```json
 * { "seed": "soak-1",
 *   "rules": [
 *     { "kind": "step-error", "step": "THUMBNAIL", "fileNamePrefix": "fault-once-", "onReceiveCounts": [1] },
 *     { "kind": "step-error", "step": "PROCESS", "fileNamePrefix": "soak-", "fraction": 0.05 },
 *     { "kind": "dynamodb-throttle", "attempts": 1, "operations": ["UpdateItemCommand"] } ] }
 * ```
 *
 * - `step-error` fails `step`'s work with `InjectedFault` (a transient error, retried by the
 *   queue) when the file's name starts with `fileNamePrefix` (if given), the message's
 *   `ApproximateReceiveCount` is one of `onReceiveCounts` (if given; otherwise on every receive),
 *   and the file falls in `fraction` of files (if given; chosen by a hash of seed and file id, so
 *   every execution environment agrees without shared state); with `untilRedriven`, not for a
 *   message redriven from the dead-letter queue. RECORD_SALE (the orders' RecordSale state)
 *   matches the order's clientToken against `fileNamePrefix` and counts this execution
 *   environment's attempts for the order as receives.
 * - `step-delay` holds `step`'s work for `delayMs` before it starts, for files whose name starts
 *   with `fileNamePrefix` (if given): a slow delivery, for races between duplicate deliveries.
 * - `dynamodb-throttle` makes the functions' DynamoDB calls answer 400
 *   ProvisionedThroughputExceededException on their first `attempts` attempts (default 1), for
 *   the listed command names (default: every command). The SDK's own retry strategy sees a real
 *   throttling answer.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../../resolvers/shared/errors.js';

/**
 * A failure planted by a step-error rule. Transient by design: the function's queue (or the
 * state machine's Retry) retries it like a network error.
 */
export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

export interface StepErrorRule {
  readonly kind: 'step-error';
  readonly step: string;
  readonly fileNamePrefix?: string;
  readonly onReceiveCounts?: readonly number[];
  readonly fraction?: number;
  /** Stop once an operator redrove the message (the outage is over): for redrive tests. */
  readonly untilRedriven?: boolean;
}

export interface DynamoDbThrottleRule {
  readonly kind: 'dynamodb-throttle';
  readonly attempts?: number;
  readonly operations?: readonly string[];
}

export interface StepDelayRule {
  readonly kind: 'step-delay';
  readonly step: string;
  readonly delayMs: number;
  readonly fileNamePrefix?: string;
}

export type FaultRule = StepErrorRule | StepDelayRule | DynamoDbThrottleRule;

export interface FaultConfig {
  readonly seed?: string;
  readonly rules: readonly FaultRule[];
}

/** What step rules match on: the file (or order) a step works on and this delivery of it. */
export interface StepFaultContext {
  readonly fileId: string;
  readonly fileName: string;
  readonly receiveCount: number;
  /** The step reopened for a message redriven from its dead-letter queue. */
  readonly redriven?: boolean;
}

export interface Faults {
  /** Whether any rule is configured. */
  readonly active: boolean;
  /** Whether a step-error or step-delay rule names this step. */
  concerns(step: string): boolean;
  /** The InjectedFault a step-error rule plants in this delivery of the step; null when none matches. */
  stepFault(step: string, context: StepFaultContext): InjectedFault | null;
  /** How long a step-delay rule holds this step before it starts (0 when none matches). */
  stepDelayMs(step: string, context: StepFaultContext): number;
  /** Whether a rule throttles DynamoDB calls. */
  readonly throttling: boolean;
  /** Whether this attempt of this DynamoDB command is to be throttled. */
  throttlesDynamoDb(commandName: string, attempt: number): boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function parseRule(value: unknown, index: number): FaultRule {
  const where = `faults.rules[${index}]`;
  if (!isObject(value)) throw new ConfigurationError(`${where} must be an object`);
  const numbers = (name: string): number[] | undefined => {
    const list = value[name];
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || !list.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new ConfigurationError(`${where}.${name} must be a list of positive integers`);
    }
    return list as number[];
  };
  const string = (name: string): string | undefined => {
    const text = value[name];
    if (text === undefined) return undefined;
    if (typeof text !== 'string') throw new ConfigurationError(`${where}.${name} must be a string`);
    return text;
  };
  switch (value['kind']) {
    case 'step-error': {
      const step = string('step');
      if (step === undefined) throw new ConfigurationError(`${where}.step is required`);
      const fraction = value['fraction'];
      if (fraction !== undefined && (typeof fraction !== 'number' || fraction < 0 || fraction > 1)) {
        throw new ConfigurationError(`${where}.fraction must be a number from 0 to 1`);
      }
      const prefix = string('fileNamePrefix');
      const counts = numbers('onReceiveCounts');
      return {
        kind: 'step-error',
        step,
        ...(prefix === undefined ? {} : { fileNamePrefix: prefix }),
        ...(counts === undefined ? {} : { onReceiveCounts: counts }),
        ...(fraction === undefined ? {} : { fraction }),
        ...(value['untilRedriven'] === true ? { untilRedriven: true } : {}),
      };
    }
    case 'step-delay': {
      const step = string('step');
      if (step === undefined) throw new ConfigurationError(`${where}.step is required`);
      const delayMs = value['delayMs'];
      if (!Number.isInteger(delayMs) || (delayMs as number) < 0) {
        throw new ConfigurationError(`${where}.delayMs must be a non-negative integer`);
      }
      const prefix = string('fileNamePrefix');
      return { kind: 'step-delay', step, delayMs: delayMs as number, ...(prefix === undefined ? {} : { fileNamePrefix: prefix }) };
    }
    case 'dynamodb-throttle': {
      const attempts = value['attempts'] ?? 1;
      if (!Number.isInteger(attempts) || (attempts as number) < 1) {
        throw new ConfigurationError(`${where}.attempts must be a positive integer`);
      }
      const operations = value['operations'];
      if (operations !== undefined && (!Array.isArray(operations) || !operations.every((o) => typeof o === 'string'))) {
        throw new ConfigurationError(`${where}.operations must be a list of command names`);
      }
      return {
        kind: 'dynamodb-throttle',
        attempts: attempts as number,
        ...(operations === undefined ? {} : { operations: operations as string[] }),
      };
    }
    default:
      throw new ConfigurationError(`${where}.kind must be step-error, step-delay or dynamodb-throttle`);
  }
}

/** The rules of a configuration (an object, or its JSON), checked: a rule it cannot apply is a ConfigurationError naming it. */
export function parseFaultConfig(raw: unknown): FaultConfig {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ConfigurationError('faults is not JSON', { cause: error });
    }
  }
  if (!isObject(value) || !Array.isArray(value['rules'])) {
    throw new ConfigurationError('faults must be an object with a rules list');
  }
  const seed = value['seed'];
  return {
    ...(typeof seed === 'string' ? { seed } : {}),
    rules: value['rules'].map(parseRule),
  };
}

/** A stable number in [0, 1) for (seed, id): the same in every execution environment. */
export function fractionOf(seed: string, id: string): number {
  return createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function createFaults(config: FaultConfig | null): Faults {
  const rules = config?.rules ?? [];
  const seed = config?.seed ?? '';
  const stepRules = rules.filter((r): r is StepErrorRule => r.kind === 'step-error');
  const delays = rules.filter((r): r is StepDelayRule => r.kind === 'step-delay');
  const throttles = rules.filter((r): r is DynamoDbThrottleRule => r.kind === 'dynamodb-throttle');
  return {
    active: rules.length > 0,
    concerns: (step) => [...stepRules, ...delays].some((rule) => rule.step === step),
    stepFault(step, context) {
      const matches = stepRules.some(
        (rule) =>
          rule.step === step &&
          (rule.fileNamePrefix === undefined || context.fileName.startsWith(rule.fileNamePrefix)) &&
          (rule.onReceiveCounts === undefined || rule.onReceiveCounts.includes(context.receiveCount)) &&
          (rule.fraction === undefined || fractionOf(seed, context.fileId) < rule.fraction) &&
          !(rule.untilRedriven === true && context.redriven === true),
      );
      return matches ? new InjectedFault(`Injected fault in ${step} (receive ${context.receiveCount})`) : null;
    },
    stepDelayMs(step, context) {
      const rule = delays.find(
        (r) => r.step === step && (r.fileNamePrefix === undefined || context.fileName.startsWith(r.fileNamePrefix)),
      );
      return rule?.delayMs ?? 0;
    },
    throttling: throttles.length > 0,
    throttlesDynamoDb(commandName, attempt) {
      return throttles.some(
        (rule) =>
          attempt <= (rule.attempts ?? 1) && (rule.operations === undefined || rule.operations.includes(commandName)),
      );
    },
  };
}
