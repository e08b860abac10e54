import { Duration } from 'aws-cdk-lib';
import type { CfnGraphQLApi } from 'aws-cdk-lib/aws-appsync';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Thresholds of the standard alarms; docs/operations.md explains each and what to do. */
export const ALARM_THRESHOLDS = {
  /** Percent of a function's invocations that failed, per 5 minutes. */
  functionErrorRatePercent: 1,
  /** p99 duration as a share of the function's timeout. */
  functionDurationShareOfTimeout: 0.8,
  /** AppSync p99 latency, in milliseconds. */
  apiLatencyP99Ms: 2000,
} as const;

/** What the runbook calls each alarm; the alarm description points there. */
export type AlarmKind =
  | 'function-errors'
  | 'function-throttles'
  | 'function-duration'
  | 'dlq-depth'
  | 'api-5xx'
  | 'api-latency'
  | 'state-machine-failed';

const FIVE_MINUTES = Duration.minutes(5);
const RUNBOOK = 'docs/operations.md';

export interface StandardAlarmsProps {
  /** Where every alarm (and its recovery) is announced. */
  readonly topic: ITopic;
}

/**
 * The stack's alarms, one method per kind of resource. Every alarm notifies the alarm topic on
 * ALARM and on OK, treats missing data as fine (no traffic is not an incident) and says in its
 * description which runbook section to follow.
 */
export class StandardAlarms extends Construct {
  public readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: StandardAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
  }

  /** Error rate, throttles and p99 duration of one function. */
  public forFunction(id: string, fn: CfnFunction, label: string): Alarm[] {
    const metric = (metricName: string, statistic: string): Metric =>
      new Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: fn.ref }, statistic, period: FIVE_MINUTES });
    const timeoutSeconds = typeof fn.timeout === 'number' ? fn.timeout : 3;
    return [
      this.add(`${id}ErrorRate`, 'function-errors', `${label}: more than ${ALARM_THRESHOLDS.functionErrorRatePercent}% of invocations failed`, {
        metric: new MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: { errors: metric('Errors', 'Sum'), invocations: metric('Invocations', 'Sum') },
          period: FIVE_MINUTES,
          label: `${label} error rate (%)`,
        }),
        threshold: ALARM_THRESHOLDS.functionErrorRatePercent,
      }),
      this.add(`${id}Throttles`, 'function-throttles', `${label}: invocations were throttled`, {
        metric: metric('Throttles', 'Sum'),
        threshold: 0,
      }),
      this.add(`${id}DurationP99`, 'function-duration', `${label}: p99 duration above ${ALARM_THRESHOLDS.functionDurationShareOfTimeout * 100}% of the ${timeoutSeconds} s timeout`, {
        metric: metric('Duration', 'p99'),
        threshold: Math.round(timeoutSeconds * 1000 * ALARM_THRESHOLDS.functionDurationShareOfTimeout),
      }),
    ];
  }

  /** Any message in a dead-letter queue. */
  public forDeadLetterQueue(id: string, queue: CfnQueue, label: string): Alarm {
    return this.add(`${id}Depth`, 'dlq-depth', `${label}: messages are waiting in a dead-letter queue`, {
      metric: new Metric({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: queue.attrQueueName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
    });
  }

  /** Server errors and p99 latency of a GraphQL API. */
  public forApi(id: string, api: CfnGraphQLApi): Alarm[] {
    const metric = (metricName: string, statistic: string): Metric =>
      new Metric({ namespace: 'AWS/AppSync', metricName, dimensionsMap: { GraphQLAPIId: api.attrApiId }, statistic, period: FIVE_MINUTES });
    return [
      this.add(`${id}5xx`, 'api-5xx', 'GraphQL API: requests failed with a server error', {
        metric: metric('5XXError', 'Sum'),
        threshold: 0,
      }),
      this.add(`${id}LatencyP99`, 'api-latency', `GraphQL API: p99 latency above ${ALARM_THRESHOLDS.apiLatencyP99Ms} ms`, {
        metric: metric('Latency', 'p99'),
        threshold: ALARM_THRESHOLDS.apiLatencyP99Ms,
      }),
    ];
  }

  /** Any failed execution of a state machine. */
  public forStateMachine(id: string, machine: CfnStateMachine, label: string): Alarm {
    return this.add(`${id}Failed`, 'state-machine-failed', `${label}: an execution failed`, {
      metric: new Metric({
        namespace: 'AWS/States',
        metricName: 'ExecutionsFailed',
        dimensionsMap: { StateMachineArn: machine.attrArn },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      threshold: 0,
    });
  }

  private add(id: string, kind: AlarmKind, what: string, options: { metric: IMetric; threshold: number }): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${what}. Runbook: ${RUNBOOK}#${kind}`,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
