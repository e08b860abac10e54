import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_CATALOG } from '../../infra/constructs/orders-catalog.js';
import { ORDERS_API_ENTRY, ORDERS_API_FIELDS, ORDERS_JS_RESOLVERS } from '../../infra/constructs/orders-api.js';
import { LOCAL_SEED_METADATA } from '../../infra/constructs/orders-tables.js';
import { LAMBDA_SERVICE_ERRORS, ORDER_STEPS } from '../../infra/constructs/orders-workflow.js';
import { LOCAL_ENTRY_METADATA } from '../../infra/constructs/service-function.js';
import { SAGA_OUTCOME_ERRORS } from '../../resolvers/orders/domain/errors.js';
import { synthesize } from './synth.js';
import { bundleAppSyncJs } from '../../infra/appsync-code.js';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

interface AslState {
  readonly Type: string;
  readonly Branches?: readonly Asl[];
  readonly Choices?: readonly { readonly Next: string }[];
  readonly Default?: string;
  readonly HeartbeatSeconds?: number;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Next?: string;
  readonly End?: boolean;
  readonly TimeoutSeconds?: number;
  readonly Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; JitterStrategy?: string }[];
  readonly Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
}

interface Asl {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

const FORWARD = ['ValidateOrder', 'ProcessPayment', 'ReserveInventory', 'ConfirmOrder'];
const COMPENSATION = ['ReleaseInventory', 'RefundPayment', 'MarkFailed'];

/** Every state, those of Parallel branches too, by name. */
function allStatesOf(asl: Asl): Record<string, AslState> {
  const all: Record<string, AslState> = {};
  const visit = (machine: Asl) => {
    for (const [name, state] of Object.entries(machine.States)) {
      all[name] = state;
      for (const branch of state.Branches ?? []) visit(branch);
    }
  };
  visit(asl);
  return all;
}

/** The definition with its intrinsics made readable: a function ARN becomes `fn:<logical id>`. */
function definitionOf(machine: CfnResource): Asl {
  const join = (machine.Properties?.['DefinitionString'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `fn:${getAtt[0]}`;
      if ((part as { Ref?: string }).Ref === 'AWS::Partition') return 'aws';
      throw new Error(`unexpected intrinsic ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(text) as Asl;
}

function logicalIdOfEntry(template: Template, entry: string): string {
  const [id] = Object.keys(template.findResources('AWS::Lambda::Function', { Metadata: { [LOCAL_ENTRY_METADATA]: entry } }));
  if (id === undefined) throw new Error(`no function with local:entry ${entry}`);
  return id;
}

function statementsOfFunction(template: Template, functionId: string): Record<string, unknown>[] {
  const fn = template.toJSON()['Resources'][functionId] as CfnResource;
  const roleRef = (fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return (Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleRef }] } })) as CfnResource[]).flatMap(
    (policy) => (policy.Properties?.['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement,
  );
}

const actionsOf = (statements: Record<string, unknown>[]) =>
  statements.flatMap((s) => (Array.isArray(s['Action']) ? (s['Action'] as string[]) : [s['Action'] as string]));

describe('given the dev stack synthesized with bundling skipped', () => {
  let template: Template;
  let machineId: string;
  let machine: CfnResource;
  let asl: Asl;

  beforeAll(() => {
    ({ template } = synthesize());
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const [id, ...others] = Object.keys(machines).filter((key) => key.startsWith('OrdersWorkflow'));
    expect(others).toEqual([]);
    machineId = id!;
    machine = machines[machineId] as CfnResource;
    asl = definitionOf(machine);
  }, 120_000);

  describe('when looking at the order state machine', () => {
    it('then it is a STANDARD state machine with X-Ray tracing and every event logged with its data', () => {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [expect.anything()] },
      });
    });

    it('then it starts at ValidateOrder, waits for an approval over the threshold, goes forward to ConfirmOrder, then notifies and records the sale in parallel', () => {
      expect(asl.StartAt).toBe('ValidateOrder');
      expect(['ValidateOrder', 'RequestApproval', 'ProcessPayment', 'ReserveInventory', 'ConfirmOrder', 'Fulfil', 'NotifyCustomer'].map((state) => asl.States[state]?.Next)).toEqual([
        'NeedsApproval',
        'ProcessPayment',
        'ReserveInventory',
        'ConfirmOrder',
        'Fulfil',
        'SaleRecorded',
        'Done',
      ]);
      expect(asl.States['NeedsApproval']).toMatchObject({ Type: 'Choice', Choices: [{ Next: 'RequestApproval' }], Default: 'ProcessPayment' });
      expect(JSON.stringify(asl.States['NeedsApproval']?.Choices)).toContain('"NumericGreaterThanEquals":100000');
      expect(asl.States['Fulfil']?.Type).toBe('Parallel');
      expect(asl.States['Fulfil']?.Branches?.map((branch) => branch.StartAt)).toEqual(['NotifyConfirmed', 'RecordSale']);
      expect(asl.States['Done']?.Type).toBe('Succeed');
    });

    it('then the approval waits for a task token, with a heartbeat shorter than its timeout, and a rejection or timeout goes to MarkFailed', () => {
      const approval = asl.States['RequestApproval'];
      expect(approval?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(approval?.Parameters?.['Payload']).toEqual({ 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' });
      expect(approval?.TimeoutSeconds).toBe(24 * 3600);
      expect(approval?.HeartbeatSeconds).toBe(12 * 3600);
      expect(approval?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }]);
      expect(approval?.Retry?.map((r) => [r.ErrorEquals.join('|'), r.MaxAttempts])).toContainEqual(['States.Timeout|States.HeartbeatTimeout', 0]);
    });

    it('then each state invokes its own function through the lambda:invoke integration, with a timeout', () => {
      for (const { state, entry } of ORDER_STEPS) {
        const definition = allStatesOf(asl)[state];
        expect(definition?.Resource, state).toBe(state === 'RequestApproval' ? 'arn:aws:states:::lambda:invoke.waitForTaskToken' : 'arn:aws:states:::lambda:invoke');
        expect(definition?.Parameters?.['FunctionName'], state).toBe(`fn:${logicalIdOfEntry(template, entry)}`);
        expect(definition?.TimeoutSeconds, state).toBeGreaterThan(0);
      }
    });

    it('then every Task retries the three Lambda service errors with backoff and full jitter, first', () => {
      const tasks = Object.entries(allStatesOf(asl)).filter(([, state]) => state.Type === 'Task');
      expect(tasks.map(([name]) => name).sort()).toEqual([...ORDER_STEPS.map((s) => s.state), 'NotifyConfirmed'].sort());
      for (const [name, state] of tasks) {
        expect(state.Retry?.[0], name).toEqual({
          ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        });
      }
    });

    it('then no Task retries a saga outcome (a decline, out of stock, a cancellation), and each retries other errors with jitter', () => {
      for (const [name, state] of Object.entries(allStatesOf(asl)).filter(([, s]) => s.Type === 'Task')) {
        expect(state.Retry?.[1], name).toEqual({ ErrorEquals: [...SAGA_OUTCOME_ERRORS], MaxAttempts: 0 });
        expect(state.Retry?.at(-1), name).toMatchObject({ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL', BackoffRate: 2 });
        expect(state.Retry?.at(-1)?.MaxAttempts, name).toBeGreaterThanOrEqual(3);
      }
    });

    it('then every forward step catches every error into the compensation that undoes what came before it', () => {
      const catchers = (state: string) => (asl.States[state]?.Catch ?? []).map((c) => [c.ErrorEquals.join('|'), c.Next, c.ResultPath]);
      expect(catchers('ValidateOrder')).toEqual([['States.ALL', 'MarkFailed', '$.error']]);
      expect(catchers('ProcessPayment')).toEqual([
        ['PaymentDeclined', 'MarkFailed', '$.error'],
        ['States.ALL', 'RefundPayment', '$.error'],
      ]);
      expect(catchers('ReserveInventory')).toEqual([
        ['OutOfStock', 'RefundPayment', '$.error'],
        ['States.ALL', 'ReleaseInventory', '$.error'],
      ]);
      expect(catchers('ConfirmOrder')).toEqual([['States.ALL', 'ReleaseInventory', '$.error']]);
      for (const state of FORWARD) {
        expect(asl.States[state]?.Catch?.at(-1)?.ErrorEquals, state).toEqual(['States.ALL']);
        for (const c of asl.States[state]?.Catch ?? []) expect(COMPENSATION, state).toContain(c.Next);
      }
    });

    it('then compensation runs in reverse order, ends in MarkFailed and NotifyCustomer, and a compensation that fails for good escalates and fails the execution', () => {
      expect(COMPENSATION.map((state) => asl.States[state]?.Next)).toEqual(['RefundPayment', 'MarkFailed', 'NotifyCustomer']);
      for (const state of COMPENSATION) {
        expect(asl.States[state]?.Catch, state).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.compensationError', Next: 'MarkNeedsAttention' }]);
        expect(asl.States[state]?.Retry?.[2], state).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 5 });
      }
      expect(asl.States['MarkNeedsAttention']?.Next).toBe('CompensationFailed');
      expect(asl.States['CompensationFailed']).toMatchObject({ Type: 'Fail', Error: 'CompensationFailed' });
      expect(asl.States['NotifyCustomer']?.Catch).toBeUndefined();
    });

    it('then an alarm goes off on the first failed execution, to the alarm topic', () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Statistic: 'Sum', Threshold: 0 },
      });
      const onSaga = Object.values(alarms).filter((alarm) =>
        JSON.stringify(alarm.Properties.Dimensions).includes(machineId),
      );
      expect(onSaga).toHaveLength(1);
      expect(onSaga[0]?.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
      expect(onSaga[0]?.Properties.AlarmActions).toHaveLength(1);
    });

    it("then its role may invoke exactly the saga's functions", () => {
      const roleId = (machine.Properties?.['RoleArn'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = (Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as CfnResource[]).flatMap(
        (policy) => (policy.Properties?.['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement,
      );
      const invoked = statements
        .filter((s) => s['Action'] === 'lambda:InvokeFunction')
        .flatMap((s) => s['Resource'] as unknown[])
        .map((resource) => JSON.stringify(resource).match(/"Fn::GetAtt":\["([^"]+)"/)?.[1]);
      expect(new Set(invoked)).toEqual(new Set(ORDER_STEPS.map(({ entry }) => logicalIdOfEntry(template, entry))));
    });
  });

  describe('when looking at the orders functions', () => {
    it('then each step may publish orderEvents and nothing else of the API, and touches only its own tables', () => {
      for (const { entry, tables, ...spec } of ORDER_STEPS) {
        const pays = 'pays' in spec && spec.pays === true;
        const statements = statementsOfFunction(template, logicalIdOfEntry(template, entry));
        const graphql = statements.filter((s) => s['Action'] === 'appsync:GraphQL');
        expect(graphql, entry).toHaveLength(1);
        expect(JSON.stringify(graphql[0]?.['Resource']), entry).toMatch(/\/types\/Mutation\/fields\/publishOrderEvent"/);
        const env = (template.toJSON()['Resources'][logicalIdOfEntry(template, entry)] as CfnResource).Properties?.['Environment'] as {
          Variables: Record<string, unknown>;
        };
        expect('PRODUCTS_TABLE' in env.Variables, entry).toBe('products' in tables);
        // The simulator (dev) gives the paying steps its ledger; Stripe (prod) its secret.
        expect('PAYMENTS_TABLE' in env.Variables, entry).toBe(pays);
        expect('PAYMENT_PROVIDER' in env.Variables, entry).toBe(pays);
        expect(actionsOf(statements), entry).not.toContain('states:StartExecution');
      }
    });

    it('then the orders API may start executions of the order state machine only, and reads the catalog without writing it', () => {
      const statements = statementsOfFunction(template, logicalIdOfEntry(template, ORDERS_API_ENTRY));
      const start = statements.filter((s) => s['Action'] === 'states:StartExecution');
      expect(start).toHaveLength(1);
      expect(start[0]?.['Resource']).toEqual({ Ref: machineId });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ ORDER_WORKFLOW_ARN: { Ref: machineId }, POWERTOOLS_SERVICE_NAME: 'orders-api' }) },
      });
    });

    it.each(ORDERS_API_FIELDS)('then $typeName $fieldName is a direct Lambda resolver on the orders API', ({ typeName, fieldName }) => {
      const [resolver, ...more] = Object.values(
        template.findResources('AWS::AppSync::Resolver', { Properties: { TypeName: typeName, FieldName: fieldName } }),
      ) as CfnResource[];
      expect(more).toEqual([]);
      expect(resolver?.Properties).not.toHaveProperty('Code');
      template.hasResourceProperties('AWS::AppSync::DataSource', {
        Name: resolver?.Properties?.['DataSourceName'],
        Type: 'AWS_LAMBDA',
        LambdaConfig: { LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOfEntry(template, ORDERS_API_ENTRY), 'Arn'] } },
      });
    });

    it.each(ORDERS_JS_RESOLVERS)('then $typeName $fieldName is an APPSYNC_JS resolver on a NONE data source, its code inline', ({ typeName, fieldName, codePath }) => {
      const [resolver] = Object.values(
        template.findResources('AWS::AppSync::Resolver', { Properties: { TypeName: typeName, FieldName: fieldName } }),
      ) as CfnResource[];
      expect(resolver?.Properties).toMatchObject({ Runtime: { Name: 'APPSYNC_JS' }, Code: bundleAppSyncJs(codePath) });
      template.hasResourceProperties('AWS::AppSync::DataSource', { Name: resolver?.Properties?.['DataSourceName'], Type: 'NONE' });
    });
  });

  describe('when looking at the orders tables', () => {
    it('then the products table carries the catalog for the local stack to seed, and the orders table lists by owner', () => {
      const products = Object.values(
        template.findResources('AWS::DynamoDB::Table', { Properties: { KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }] } }),
      ) as CfnResource[];
      expect(products).toHaveLength(1);
      expect(products[0]?.Metadata?.[LOCAL_SEED_METADATA]).toEqual(PRODUCT_CATALOG.map((p) => ({ ...p })));
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }] })],
      });
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'orderId', KeyType: 'HASH' },
          { AttributeName: 'entry', KeyType: 'RANGE' },
        ],
      });
    });
  });
});
