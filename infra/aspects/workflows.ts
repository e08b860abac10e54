import { Names, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledge } from '../nag/index.js';
import type { Inventory } from './inventory.js';
import { owner } from './messaging.js';

/**
 * What Step Functions needs to deliver execution logs (CloudWatch Logs' vended-log delivery
 * APIs) and traces: none of these actions supports resource-level permissions.
 */
export const STATE_MACHINE_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
export const STATE_MACHINE_TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

/**
 * Every state machine: X-Ray tracing and ALL events, with execution data, logged to a log group
 * of its own (under `/aws/vendedlogs/` so log delivery does not grow the account's CloudWatch
 * Logs resource policy).
 */
export function applyWorkflowObservability(inventory: Inventory, removalPolicy: RemovalPolicy): void {
  const { stack } = inventory;
  for (const cfn of inventory.stateMachines) {
    const machine = owner(cfn, StateMachine);
    const grant = (actions: string[]) => machine?.addToRolePolicy(new PolicyStatement({ actions, resources: ['*'] }));

    const tracing = stack.resolve(cfn.tracingConfiguration) as { enabled?: boolean } | undefined;
    if (tracing?.enabled !== true) {
      cfn.tracingConfiguration = { enabled: true };
      grant(STATE_MACHINE_TRACE_ACTIONS);
    }
    const logging = stack.resolve(cfn.loggingConfiguration) as { level?: string; destinations?: unknown[] } | undefined;
    if (logging?.destinations === undefined || logging.destinations.length === 0) {
      const logGroup = new LogGroup(machine ?? cfn, 'ExecutionLogs', {
        logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(cfn, { maxLength: 200 })}`,
        removalPolicy,
      });
      cfn.loggingConfiguration = {
        level: 'ALL',
        includeExecutionData: true,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroup.logGroupArn } }],
      };
      grant(STATE_MACHINE_LOG_DELIVERY_ACTIONS);
    } else if (logging.level !== 'ALL') {
      cfn.loggingConfiguration = { ...(cfn.loggingConfiguration as object), level: 'ALL' };
    }
    acknowledge(machine ?? cfn, 'AwsSolutions-IAM5[Resource::*]', 'CloudWatch Logs log-delivery and X-Ray actions support no resource-level permissions (documented log case); a test pins that no other statement has Resource "*"');
  }
}
