import { Aws, Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Metric,
  TextWidget,
  type IAlarm,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

export interface DashboardFunction {
  readonly label: string;
  readonly functionName: string;
}
export interface DashboardQueue {
  readonly label: string;
  readonly queueName: string;
  readonly deadLetter: boolean;
}
export interface DashboardStateMachine {
  readonly label: string;
  readonly arn: string;
}

export interface OperationsDashboardProps {
  readonly apiId?: string;
  readonly functions: readonly DashboardFunction[];
  readonly queues: readonly DashboardQueue[];
  readonly stateMachines: readonly DashboardStateMachine[];
  readonly alarms: readonly IAlarm[];
}

const PERIOD = Duration.minutes(5);

/**
 * One CloudWatch dashboard for the whole service: the API, the upload pipeline (its functions and
 * queues), the order saga (its state machines), dead-letter queues and every alarm's state.
 * Built from whatever the stack holds, so a new function or queue shows up without editing it.
 */
export class OperationsDashboard extends Construct {
  public readonly dashboard: Dashboard;
  /** The console address of the dashboard. */
  public readonly url: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.url = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${this.dashboard.dashboardName}`;
  }

  /** Adds the widgets for what the stack holds. Called once, when the stack is complete. */
  public show(props: OperationsDashboardProps): void {

    const rows: IWidget[][] = [];
    rows.push([
      new TextWidget({
        markdown: '# Operations\nEvery alarm names its runbook section in `docs/operations.md`. To follow one upload to READY, search the logs for its correlation id (docs/operations.md, "Following an upload").',
        width: 24,
        height: 2,
      }),
    ]);
    if (props.alarms.length > 0) {
      rows.push([new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 })]);
    }

    if (props.apiId !== undefined) {
      const api = (metricName: string, statistic: string, label: string) =>
        new Metric({ namespace: 'AWS/AppSync', metricName, dimensionsMap: { GraphQLAPIId: props.apiId ?? '' }, statistic, period: PERIOD, label });
      rows.push([
        new GraphWidget({ title: 'API requests and errors', left: [api('Requests', 'Sum', 'requests'), api('4XXError', 'Sum', '4xx'), api('5XXError', 'Sum', '5xx')], width: 12 }),
        new GraphWidget({ title: 'API latency (ms)', left: [api('Latency', 'p50', 'p50'), api('Latency', 'p99', 'p99')], width: 12 }),
      ]);
    }

    if (props.functions.length > 0) {
      const lambda = (metricName: string, statistic: string) =>
        props.functions.map(
          (fn) => new Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: fn.functionName }, statistic, period: PERIOD, label: fn.label }),
        );
      rows.push([
        new GraphWidget({ title: 'Function invocations', left: lambda('Invocations', 'Sum'), width: 6 }),
        new GraphWidget({ title: 'Function errors', left: lambda('Errors', 'Sum'), width: 6 }),
        new GraphWidget({ title: 'Function p99 duration (ms)', left: lambda('Duration', 'p99'), width: 6 }),
        new GraphWidget({ title: 'Function throttles', left: lambda('Throttles', 'Sum'), width: 6 }),
      ]);
    }

    const sqs = (queues: readonly DashboardQueue[], metricName: string, statistic: string) =>
      queues.map(
        (queue) => new Metric({ namespace: 'AWS/SQS', metricName, dimensionsMap: { QueueName: queue.queueName }, statistic, period: PERIOD, label: queue.label }),
      );
    const work = props.queues.filter((queue) => !queue.deadLetter);
    const dead = props.queues.filter((queue) => queue.deadLetter);
    const queueWidgets: IWidget[] = [];
    if (work.length > 0) {
      queueWidgets.push(
        new GraphWidget({ title: 'Pipeline queues: messages waiting', left: sqs(work, 'ApproximateNumberOfMessagesVisible', 'Maximum'), width: 8 }),
        new GraphWidget({ title: 'Pipeline queues: oldest message age (s)', left: sqs(work, 'ApproximateAgeOfOldestMessage', 'Maximum'), width: 8 }),
      );
    }
    if (dead.length > 0) {
      queueWidgets.push(new GraphWidget({ title: 'Dead-letter queues: depth', left: sqs(dead, 'ApproximateNumberOfMessagesVisible', 'Maximum'), width: 8 }));
    }
    if (queueWidgets.length > 0) rows.push(queueWidgets);

    if (props.stateMachines.length > 0) {
      const states = (metricName: string) =>
        props.stateMachines.map(
          (machine) => new Metric({ namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: machine.arn }, statistic: 'Sum', period: PERIOD, label: `${machine.label} ${metricName}` }),
        );
      rows.push([
        new GraphWidget({ title: 'Saga executions', left: [...states('ExecutionsStarted'), ...states('ExecutionsSucceeded')], width: 12 }),
        new GraphWidget({ title: 'Saga failures', left: [...states('ExecutionsFailed'), ...states('ExecutionsTimedOut'), ...states('ExecutionsAborted')], width: 12 }),
      ]);
    }

    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}
