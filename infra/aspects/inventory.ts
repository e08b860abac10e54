import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnDataSource, CfnGraphQLApi } from 'aws-cdk-lib/aws-appsync';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventInvokeConfig, CfnEventSourceMapping, CfnFunction, CfnPermission, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSubscription, CfnTopic } from 'aws-cdk-lib/aws-sns';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/**
 * What a stack holds, whoever added it, classified for the production posture: which functions
 * are the service's own, who invokes each, which queues are dead-letter queues. Built from the
 * construct tree with references resolved to logical ids, so it sees L1 and L2 resources alike.
 */

/** How a function is invoked, which decides where its failures go. */
export type Invoker = 'appsync' | 'async' | 'sqs' | 'stream' | 'states';

/** Why a queue is a dead-letter queue. */
export type DeadLetterRole = 'queue-redrive' | 'function-dlq' | 'function-destination' | 'subscription-redrive' | 'target-dlq';

export interface ServiceFunctionInfo {
  readonly fn: LambdaFunction;
  readonly cfn: CfnFunction;
  readonly invokers: ReadonlySet<Invoker>;
}

export interface Inventory {
  readonly stack: Stack;
  readonly functions: readonly ServiceFunctionInfo[];
  readonly queues: readonly CfnQueue[];
  /** Dead-letter queues and what they catch for. */
  readonly deadLetterQueues: ReadonlyMap<CfnQueue, ReadonlySet<DeadLetterRole>>;
  readonly topics: readonly CfnTopic[];
  readonly subscriptions: readonly CfnSubscription[];
  readonly tables: readonly CfnTable[];
  readonly buckets: readonly CfnBucket[];
  readonly stateMachines: readonly CfnStateMachine[];
  readonly apis: readonly CfnGraphQLApi[];
  readonly eventSourceMappings: readonly CfnEventSourceMapping[];
  logicalIdOf(resource: CfnResource): string;
  /** The resource a `Ref`/`Fn::GetAtt` inside `value` points at, of the given kind. */
  referenced<T extends CfnResource>(value: unknown, kind: abstract new (...args: never[]) => T): T[];
}

/**
 * CDK's own singleton handlers (custom resources, log retention, bucket notifications): not
 * service code, they get no alarms and keep the runtime CDK chose for them.
 */
const CDK_FRAMEWORK_ID = /^(AWS[0-9a-f]{32}|SingletonLambda|LogRetention[0-9a-f]{32}|BucketNotificationsHandler|Custom.*Provider|framework-)/;

export function isFrameworkFunction(fn: IConstruct): boolean {
  return CDK_FRAMEWORK_ID.test(fn.node.id) || fn.node.scopes.some((scope) => /^Provider$|CustomResourceProvider/.test(scope.node.id) && scope !== fn);
}

/** Every logical id referenced (`Ref`, `Fn::GetAtt`, `Fn::Sub`) in a resolved value. */
export function referencedLogicalIds(resolved: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(resolved)) {
    for (const item of resolved) referencedLogicalIds(item, into);
  } else if (resolved !== null && typeof resolved === 'object') {
    for (const [key, value] of Object.entries(resolved as Record<string, unknown>)) {
      if (key === 'Ref' && typeof value === 'string' && !value.startsWith('AWS::')) into.add(value);
      else if (key === 'Fn::GetAtt' && Array.isArray(value) && typeof value[0] === 'string') into.add(value[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(value) ? value[0] : value;
        for (const match of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)) into.add(match[1] ?? '');
        if (Array.isArray(value)) referencedLogicalIds(value[1], into);
      } else referencedLogicalIds(value, into);
    }
  }
  return into;
}

const ASYNC_PRINCIPALS = new Set(['s3.amazonaws.com', 'sns.amazonaws.com', 'events.amazonaws.com', 'scheduler.amazonaws.com']);

export function takeInventory(stack: Stack): Inventory {
  const all = stack.node.findAll().filter((c) => Stack.of(c) === stack);
  const resources = all.filter((c): c is CfnResource => CfnResource.isCfnResource(c));
  const byLogicalId = new Map<string, CfnResource>();
  for (const resource of resources) byLogicalId.set(stack.resolve(resource.logicalId) as string, resource);
  const logicalIdOf = (resource: CfnResource): string => stack.resolve(resource.logicalId) as string;
  const referenced = <T extends CfnResource>(value: unknown, kind: abstract new (...args: never[]) => T): T[] =>
    [...referencedLogicalIds(stack.resolve(value))]
      .map((id) => byLogicalId.get(id))
      .filter((resource): resource is T => resource instanceof kind);
  const ofKind = <T extends CfnResource>(kind: abstract new (...args: never[]) => T): T[] =>
    resources.filter((resource): resource is T => resource instanceof kind);

  const queues = ofKind(CfnQueue);
  const stateMachines = ofKind(CfnStateMachine);
  const eventSourceMappings = ofKind(CfnEventSourceMapping);
  const subscriptions = ofKind(CfnSubscription);

  // Who invokes each function. An alias or a version stands for its function.
  const functionOfVersion = new Map<string, CfnFunction>();
  for (const resource of resources) {
    if (resource.cfnResourceType !== 'AWS::Lambda::Alias' && resource.cfnResourceType !== 'AWS::Lambda::Version') continue;
    const [fn] = referenced((resource as unknown as { functionName: unknown }).functionName, CfnFunction);
    if (fn !== undefined) functionOfVersion.set(logicalIdOf(resource), fn);
  }
  const invokers = new Map<CfnFunction, Set<Invoker>>();
  const invokedBy = (value: unknown, invoker: Invoker) => {
    for (const id of referencedLogicalIds(stack.resolve(value))) {
      const target = byLogicalId.get(id);
      const fn = target instanceof CfnFunction ? target : functionOfVersion.get(id);
      if (fn === undefined) continue;
      const set = invokers.get(fn) ?? new Set<Invoker>();
      set.add(invoker);
      invokers.set(fn, set);
    }
  };
  for (const source of ofKind(CfnDataSource)) invokedBy(source.lambdaConfig, 'appsync');
  for (const permission of ofKind(CfnPermission)) {
    const principal = stack.resolve(permission.principal) as unknown;
    if (typeof principal === 'string' && ASYNC_PRINCIPALS.has(principal)) invokedBy(permission.functionName, 'async');
  }
  for (const subscription of subscriptions) {
    if (stack.resolve(subscription.protocol) === 'lambda') invokedBy(subscription.endpoint, 'async');
  }
  for (const mapping of eventSourceMappings) {
    const fromQueue = referenced(mapping.eventSourceArn, CfnQueue).length > 0;
    invokedBy(mapping.functionName, fromQueue ? 'sqs' : 'stream');
  }
  for (const machine of stateMachines) {
    invokedBy(machine.definitionString, 'states');
    invokedBy(machine.definitionSubstitutions, 'states');
    invokedBy(machine.definition, 'states');
  }

  const functions: ServiceFunctionInfo[] = all
    .filter((c): c is LambdaFunction => c instanceof LambdaFunction && !isFrameworkFunction(c))
    .map((fn) => {
      const cfn = fn.node.defaultChild as CfnFunction;
      return { fn, cfn, invokers: invokers.get(cfn) ?? new Set<Invoker>() };
    });

  // Dead-letter queues, from whatever points at them.
  const deadLetterQueues = new Map<CfnQueue, Set<DeadLetterRole>>();
  const deadLetter = (value: unknown, role: DeadLetterRole) => {
    for (const queue of referenced(value, CfnQueue)) {
      const set = deadLetterQueues.get(queue) ?? new Set<DeadLetterRole>();
      set.add(role);
      deadLetterQueues.set(queue, set);
    }
  };
  for (const queue of queues) deadLetter((stack.resolve(queue.redrivePolicy) as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn, 'queue-redrive');
  for (const fn of ofKind(CfnFunction)) deadLetter(fn.deadLetterConfig, 'function-dlq');
  for (const config of ofKind(CfnEventInvokeConfig)) deadLetter(config.destinationConfig, 'function-destination');
  for (const mapping of eventSourceMappings) deadLetter(mapping.destinationConfig, 'function-destination');
  for (const subscription of subscriptions) deadLetter(subscription.redrivePolicy, 'subscription-redrive');
  for (const resource of resources) {
    if (resource.cfnResourceType !== 'AWS::Events::Rule') continue;
    const targets = (stack.resolve((resource as unknown as { targets: unknown }).targets) ?? []) as { deadLetterConfig?: unknown }[];
    for (const target of targets) deadLetter(target.deadLetterConfig, 'target-dlq');
  }

  return {
    stack,
    functions,
    queues,
    deadLetterQueues,
    topics: ofKind(CfnTopic),
    subscriptions,
    tables: ofKind(CfnTable),
    buckets: ofKind(CfnBucket),
    stateMachines,
    apis: ofKind(CfnGraphQLApi),
    eventSourceMappings,
    logicalIdOf,
    referenced,
  };
}
