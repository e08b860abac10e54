import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { CfnRole, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { CfnEventInvokeConfig } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { acknowledge } from '../nag/index.js';
import { referencedLogicalIds, type Inventory, type Invoker, type ServiceFunctionInfo } from './inventory.js';

/** The runtime every Node.js function runs; cdk-nag's "latest runtime" rules are acknowledged for it. */
export const NODE_RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';
/** What a traced function may call on X-Ray; X-Ray has no resource-level permissions. */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
/** The id of the dead-letter queue the posture gives an asynchronously invoked function. */
export const ASYNC_DLQ_ID = 'AsyncFailures';

const patchedRoles = new WeakSet<CfnRole>();

/**
 * Every service function, whoever defined it: Node.js 22 on arm64, active tracing, JSON logs in
 * a log group of its own, the right to write to that log group only (AWS's basic execution
 * policy grants logs on every group), and somewhere for its failures to go.
 */
export function applyFunctionDefaults(inventory: Inventory): void {
  for (const info of inventory.functions) {
    const { fn, cfn } = info;
    cfn.architectures = [ARCHITECTURE];
    const runtime = Stack.of(fn).resolve(cfn.runtime) as unknown;
    if (typeof runtime === 'string' && runtime.startsWith('nodejs')) {
      cfn.runtime = NODE_RUNTIME;
      const why = `${NODE_RUNTIME} is the runtime this project targets (handlers, Powertools and tests); it is supported by Lambda, and moving is a project decision, not a template edit`;
      acknowledge(fn, 'AwsSolutions-L1', why);
      acknowledge(fn, 'Serverless-LambdaLatestVersion', why);
    }

    const tracing = Stack.of(fn).resolve(cfn.tracingConfig) as { mode?: string } | undefined;
    if (tracing?.mode !== 'Active') {
      cfn.tracingConfig = { mode: 'Active' };
      fn.addToRolePolicy(new PolicyStatement({ actions: XRAY_WRITE_ACTIONS, resources: ['*'] }));
    }
    acknowledge(fn, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; a test pins that no other statement has Resource "*"');

    const logging = (Stack.of(fn).resolve(cfn.loggingConfig) ?? {}) as { logGroup?: unknown };
    let logGroupArn: string;
    if (logging.logGroup === undefined) {
      const logGroup = new LogGroup(fn, 'PostureLogGroup', { retention: RetentionDays.INFINITE });
      cfn.loggingConfig = { ...(cfn.loggingConfig as object | undefined), logFormat: 'JSON', logGroup: logGroup.logGroupName };
      logGroupArn = logGroup.logGroupArn;
    } else {
      cfn.loggingConfig = { ...(cfn.loggingConfig as object | undefined), logFormat: 'JSON' };
      const [logGroup] = inventory.referenced(logging.logGroup, CfnLogGroup);
      logGroupArn = logGroup === undefined ? '' : logGroup.attrArn;
    }
    scopeLogsToOwnGroup(info, logGroupArn);
    routeFailures(info, inventory);
  }
}

/** Replaces AWSLambdaBasicExecutionRole (logs on `*`) with writes to the function's own log group. */
function scopeLogsToOwnGroup({ fn }: ServiceFunctionInfo, logGroupArn: string): void {
  const role = fn.role;
  if (!(role instanceof Role) || logGroupArn === '') return;
  const cfnRole = role.node.defaultChild as CfnRole;
  role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }));
  if (patchedRoles.has(cfnRole)) return;
  patchedRoles.add(cfnRole);
  const original: unknown = cfnRole.managedPolicyArns;
  cfnRole.managedPolicyArns = Lazy.any({
    produce: () => {
      const arns = (Stack.of(role).resolve(original) ?? []) as unknown[];
      const kept = arns.filter((arn) => !JSON.stringify(arn).includes('service-role/AWSLambdaBasicExecutionRole'));
      return kept.length > 0 ? kept : undefined;
    },
  }) as unknown as string[];
}

const SYNC_REASONS: Record<Exclude<Invoker, 'async'>, string> = {
  appsync: 'invoked synchronously by AppSync: a failure returns to the GraphQL caller as an error, nothing is queued to lose',
  sqs: 'invoked by an SQS event source: failed messages go to the source queue\'s dead-letter queue (its redrive policy)',
  stream: 'invoked by a stream event source: failures go to the event source mapping\'s on-failure destination',
  states: 'invoked synchronously by a state machine: its Retry/Catch handle failures and the execution records them',
};

/**
 * An asynchronously invoked function (S3, SNS, EventBridge) without a dead-letter target gets a
 * queue for events that fail every retry. A function invoked only synchronously has no use for
 * one: the cdk-nag DLQ rule is acknowledged with the invoker as the reason.
 */
function routeFailures(info: ServiceFunctionInfo, inventory: Inventory): void {
  const { fn, cfn, invokers } = info;
  const stack = inventory.stack;
  const hasDlq = stack.resolve(cfn.deadLetterConfig) !== undefined;
  const functionId = inventory.logicalIdOf(cfn);
  const hasOnFailure = stack.node
    .findAll()
    .some(
      (c) =>
        c instanceof CfnEventInvokeConfig &&
        referencedLogicalIds(stack.resolve(c.functionName)).has(functionId) &&
        (stack.resolve(c.destinationConfig) as { onFailure?: unknown } | undefined)?.onFailure !== undefined,
    );
  if (invokers.has('async')) {
    if (!hasDlq && !hasOnFailure) {
      const queue = new Queue(fn, ASYNC_DLQ_ID, { retentionPeriod: Duration.days(14), enforceSSL: true });
      cfn.deadLetterConfig = { targetArn: queue.queueArn };
      queue.grantSendMessages(fn);
    }
    return;
  }
  if (hasDlq || invokers.size === 0) return;
  const reasons = [...invokers].map((invoker) => SYNC_REASONS[invoker as Exclude<Invoker, 'async'>]);
  acknowledge(fn, 'Serverless-LambdaDLQ', `No dead-letter queue: ${reasons.join('; ')}`);
}
