/**
 * Local EventBridge buses: PutEvents (from the AMAZON_EVENTBRIDGE data source) delivered to the
 * rules of the template whose bus and event pattern match, to their targets: a function
 * (invoked asynchronously), an SQS queue or an SNS topic. `Input` and `InputPath` shape what a
 * target receives, as EventBridge does; without them it is the whole event.
 */
import { randomUUID } from 'node:crypto';
import { type CfnTemplate, referencedLogicalId, resourcesOfType } from '../cdk/template.js';
import { matchesPattern } from './pattern.js';

export interface EventTargets {
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  readonly sendToQueue: (queueLogicalId: string, body: string) => boolean;
  readonly publishToTopic: (topicLogicalId: string, message: string) => boolean;
  readonly log: (line: string) => void;
}

interface Rule {
  readonly logicalId: string;
  readonly bus: string;
  readonly pattern: Record<string, unknown>;
  readonly targets: readonly { readonly id: string; readonly logicalId: string; readonly type: string; readonly input?: string; readonly inputPath?: string }[];
}

export interface PutEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
  readonly time?: string;
}

/** A bus named by a template value: the logical id it references, or `default`. */
export function busKey(value: unknown): string {
  const id = referencedLogicalId(value);
  if (id) return id;
  if (typeof value === 'string' && value !== '' && !value.endsWith(':event-bus/default') && value !== 'default') return value.split('/').pop() ?? value;
  return 'default';
}

function readRules(template: CfnTemplate): Rule[] {
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const p = resource.Properties ?? {};
    const pattern = p['EventPattern'];
    if (pattern === undefined || p['State'] === 'DISABLED') return [];
    const targets = ((p['Targets'] ?? []) as Record<string, unknown>[]).flatMap((t) => {
      const target = referencedLogicalId(t['Arn']);
      const type = target ? template.Resources[target]?.Type : undefined;
      if (!target || !type) return [];
      return [{
        id: String(t['Id'] ?? target),
        logicalId: target,
        type,
        ...(typeof t['Input'] === 'string' ? { input: t['Input'] } : {}),
        ...(typeof t['InputPath'] === 'string' ? { inputPath: t['InputPath'] } : {}),
      }];
    });
    return [{ logicalId, bus: busKey(p['EventBusName']), pattern: (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as Record<string, unknown>, targets }];
  });
}

/** `$.detail.x` of an event. */
function atPath(event: unknown, path: string): unknown {
  return path.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], event);
}

export class LocalEventBuses {
  readonly #rules: readonly Rule[];
  readonly #targets: EventTargets;
  readonly #region: string;
  readonly #account: string;
  /** Events put, per bus, for tests and diagnostics. */
  readonly delivered: { readonly rule: string; readonly target: string; readonly eventId: string }[] = [];

  constructor(template: CfnTemplate, targets: EventTargets, region: string, account: string) {
    this.#rules = readRules(template);
    this.#targets = targets;
    this.#region = region;
    this.#account = account;
  }

  /** PutEvents on `bus` (a template value naming it); returns the event ids. */
  put(bus: unknown, entries: readonly PutEntry[]): { eventIds: string[] } {
    const key = busKey(bus);
    const eventIds = entries.map((entry) => {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.#account,
        time: entry.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: this.#region,
        resources: [...(entry.resources ?? [])],
        detail: typeof entry.detail === 'string' ? (JSON.parse(entry.detail) as unknown) : (entry.detail ?? {}),
      };
      for (const rule of this.#rules) {
        if (rule.bus !== key || !matchesPattern(rule.pattern, event)) continue;
        for (const target of rule.targets) this.#deliver(rule, target, event);
      }
      return event.id;
    });
    return { eventIds };
  }

  #deliver(rule: Rule, target: Rule['targets'][number], event: { id: string }): void {
    const payload = target.input !== undefined ? (JSON.parse(target.input) as unknown) : target.inputPath ? atPath(event, target.inputPath) : event;
    this.delivered.push({ rule: rule.logicalId, target: target.logicalId, eventId: event.id });
    switch (target.type) {
      case 'AWS::Lambda::Function':
        void this.#targets.invoke(target.logicalId, payload).catch((error: unknown) => this.#targets.log(`events: ${rule.logicalId} -> ${target.logicalId} failed: ${String(error)}`));
        return;
      case 'AWS::SQS::Queue':
        if (!this.#targets.sendToQueue(target.logicalId, JSON.stringify(payload))) this.#targets.log(`events: ${rule.logicalId}: no local queue ${target.logicalId}`);
        return;
      case 'AWS::SNS::Topic':
        if (!this.#targets.publishToTopic(target.logicalId, JSON.stringify(payload))) this.#targets.log(`events: ${rule.logicalId}: no local topic ${target.logicalId}`);
        return;
      default:
        this.#targets.log(`events: ${rule.logicalId}: target ${target.logicalId} (${target.type}) is not run locally`);
    }
  }
}
