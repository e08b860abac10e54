import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CfnTemplate, LocalValues } from '../../../local/cdk/template.js';
import { FunctionError } from '../../../local/lambda/local-function.js';
import { type AslDefinition, readStateMachines } from '../../../local/stepfunctions/definitions.js';
import { fileExecutionStore } from '../../../local/stepfunctions/store.js';
import { main as cli } from '../../../local/stepfunctions/cli.js';
import { ACCOUNT, type Handlers, REGION, fnArn, invokeTask, stepFunctionsWith } from '../../support/step-functions.js';

/**
 * The local Step Functions with functions faked in-process: what the interpreter does with a
 * definition is the library's; what is tested here is the local service around it (naming,
 * task resolution, error shapes, history, persistence).
 */

const fail = (errorType: string, errorMessage: string) => {
  throw new FunctionError('fn', { errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`] });
};

const twoSteps: AslDefinition = {
  StartAt: 'First',
  States: {
    First: invokeTask('first', {
      Next: 'Second',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Undo' }],
    }),
    Second: invokeTask('second', { End: true }),
    Undo: invokeTask('undo', { Next: 'Failed' }),
    Failed: { Type: 'Fail', Error: 'Undone', Cause: 'compensated' },
  },
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function service(definition: AslDefinition, handlers: Handlers, options: Parameters<typeof stepFunctionsWith>[2] = {}) {
  const made = stepFunctionsWith(definition, handlers, options);
  cleanups.push(() => made.sfn.close());
  return made;
}

describe('given a definition in a synthesized template', () => {
  it('when read, then its Fn::Join resolves to local function ARNs and the state machine is named and typed', () => {
    const template: CfnTemplate = {
      Resources: {
        Saga: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineType: 'STANDARD',
            RoleArn: { 'Fn::GetAtt': ['SagaRole', 'Arn'] },
            TracingConfiguration: { Enabled: true },
            DefinitionString: {
              'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke","Parameters":{"FunctionName":"', { 'Fn::GetAtt': ['StepFn', 'Arn'] }, '","Payload.$":"$"},"End":true}}}']],
            },
          },
        },
      },
    };
    const values: LocalValues = {
      region: REGION,
      accountId: ACCOUNT,
      ref: (id) => id,
      getAtt: (id, attribute) => (attribute === 'Arn' && id === 'StepFn' ? fnArn(id) : `arn:aws:iam::${ACCOUNT}:role/${id}`),
    };

    const [spec] = readStateMachines(template, values);

    expect(spec).toMatchObject({ name: 'Saga', arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Saga`, type: 'STANDARD', roleLogicalId: 'SagaRole', tracingEnabled: true });
    expect(spec?.definition.States['A']).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fnArn('StepFn') } });
  });

  it('when the definition is invalid, then the local Step Functions refuses it at start', () => {
    expect(() => service({ StartAt: 'Nowhere', States: { A: { Type: 'Pass', End: true } } }, {})).toThrow();
  });
});

describe('given a running local Step Functions', () => {
  it('when a task succeeds, then lambda:invoke returns the Payload in its response and the history shows each step as AWS does', async () => {
    const { sfn, arn, calls } = service(twoSteps, { first: () => ({ n: 1 }), second: (p) => ({ saw: p }) });

    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, name: 'run-1', input: '{"orderId":"o-1"}' });
    const done = await sfn.waitForExecution(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-1', first: { result: { n: 1 } }, second: { result: { saw: { orderId: 'o-1', first: { result: { n: 1 } } } } } });
    expect(calls['first']).toEqual([{ orderId: 'o-1' }]);
    expect(done.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(done.events.map((e) => e.id)).toEqual(done.events.map((_, i) => i + 1));
    const succeeded = done.events.find((e) => e.type === 'TaskSucceeded') as unknown as { taskSucceededEventDetails: { output: string } };
    expect(JSON.parse(succeeded.taskSucceededEventDetails.output)).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: { n: 1 } });
  });

  it("when a function fails, then Retry matches its errorType, the retries wait the stack's shortened interval, and Catch gets the error payload as Cause", async () => {
    const { sfn, arn, calls } = service(twoSteps, {
      first: () => fail('Flaky', 'try again'),
      undo: (p) => p,
    });

    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{}' });
    const started = Date.now();
    const done = await sfn.waitForExecution(executionArn);

    // The definition says 30 s then 60 s; the stack option says 5 ms.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(calls['first']).toHaveLength(3);
    expect(calls['undo']).toEqual([{ error: { Error: 'Flaky', Cause: JSON.stringify({ errorType: 'Flaky', errorMessage: 'try again', trace: ['Flaky: try again'] }) } }]);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Undone', cause: 'compensated' });
    expect(done.events.filter((e) => e.type === 'TaskFailed')).toHaveLength(3);
    expect(done.events.at(-1)?.type).toBe('ExecutionFailed');
  });

  it('when the same name starts again, then a running execution with the same input is returned, and anything else is ExecutionAlreadyExists', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { sfn, arn, calls } = service(twoSteps, { first: async () => gate, second: () => null });

    const first = sfn.startExecution({ stateMachineArn: arn, name: 'order-1', input: '{"a":1}' });
    const again = sfn.startExecution({ stateMachineArn: arn, name: 'order-1', input: '{"a":1}' });
    expect(again).toEqual(first);
    expect(() => sfn.startExecution({ stateMachineArn: arn, name: 'order-1', input: '{"a":2}' })).toThrow(/Execution Already Exists/);
    release();
    await sfn.waitForExecution(first.executionArn);

    expect(() => sfn.startExecution({ stateMachineArn: arn, name: 'order-1', input: '{"a":1}' })).toThrow(expect.objectContaining({ type: 'ExecutionAlreadyExists' }));
    expect(calls['first']).toHaveLength(1);
    expect(sfn.listExecutions({ stateMachineArn: arn }).executions).toHaveLength(1);
  });

  it.each([
    ['a name with a space', { name: 'a b' }, 'InvalidName'],
    ['a name of 81 characters', { name: 'x'.repeat(81) }, 'InvalidName'],
    ['input that is not JSON', { input: '{nope' }, 'InvalidExecutionInput'],
    ['an unknown state machine', { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Other` }, 'StateMachineDoesNotExist'],
    ['a malformed ARN', { stateMachineArn: 'nope' }, 'InvalidArn'],
  ])('when started with %s, then %s and nothing runs', (_label, request, type) => {
    const { sfn, arn, calls } = service(twoSteps, { first: () => null, second: () => null });
    expect(() => sfn.startExecution({ stateMachineArn: arn, ...request })).toThrow(expect.objectContaining({ type }));
    expect(calls).toEqual({});
  });

  it("when the state machine's role may not invoke the function, then the task fails as Lambda's AccessDenied would", async () => {
    const { sfn, arn, calls } = service(twoSteps, { first: () => null, undo: () => null }, { roleAllows: () => false });

    const done = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: arn, input: '{}' }).executionArn);

    expect(calls).toEqual({});
    const failed = done.events.find((e) => e.type === 'TaskFailed') as unknown as { taskFailedEventDetails: { error: string; cause: string } };
    expect(failed.taskFailedEventDetails.error).toBe('Lambda.AWSLambdaException');
    expect(failed.taskFailedEventDetails.cause).toContain(`not authorized to perform: lambda:InvokeFunction on resource: ${fnArn('first')}`);
  });

  it('when a task names a function that does not exist, then Lambda.ResourceNotFoundException', async () => {
    const { sfn, arn } = service(twoSteps, { undo: () => null });
    const done = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: arn, input: '{}' }).executionArn);
    expect(done.events.find((e) => e.type === 'TaskFailed')).toMatchObject({ taskFailedEventDetails: { error: 'Lambda.ResourceNotFoundException' } });
  });

  it('when a task outlives its TimeoutSeconds, then States.Timeout, recorded as TaskTimedOut', async () => {
    const definition: AslDefinition = { StartAt: 'Slow', States: { Slow: invokeTask('slow', { TimeoutSeconds: 1, End: true }) } };
    const { sfn, arn } = service(definition, { slow: () => new Promise((resolve) => setTimeout(resolve, 3_000)) });

    const done = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: arn, input: '{}' }).executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(done.events.map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('when an execution is stopped, then it is ABORTED with the given error and cause', async () => {
    const { sfn, arn } = service(twoSteps, { first: () => new Promise(() => undefined) });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{}' });

    sfn.stopExecution({ executionArn, error: 'Operator', cause: 'testing' });
    const done = await sfn.waitForExecution(executionArn);

    expect(done).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'testing' });
    expect(done.events.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('when the history is long, then it pages, newest first on request', async () => {
    const { sfn, arn } = service(twoSteps, { first: () => null, second: () => null });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{}' });
    await sfn.waitForExecution(executionArn);

    const first = sfn.getExecutionHistory({ executionArn, maxResults: 5 });
    const rest = sfn.getExecutionHistory({ executionArn, maxResults: 100, nextToken: first.nextToken });
    const reversed = sfn.getExecutionHistory({ executionArn, reverseOrder: true });

    expect([...first.events, ...rest.events].map((e) => e.id)).toEqual(reversed.events.map((e) => e.id).reverse());
    expect(rest.nextToken).toBeNull();
    expect(() => sfn.getExecutionHistory({ executionArn, nextToken: '!!' })).toThrow(expect.objectContaining({ type: 'InvalidToken' }));
  });
});

describe('given executions kept on disk', () => {
  it('when the local Step Functions starts again, then closed executions keep their history and names, and one that was running goes on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-store-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = fileExecutionStore(dir);
    const before = service(twoSteps, { first: () => null, second: () => null, hang: () => new Promise(() => undefined) }, { store });
    const done = before.sfn.startExecution({ stateMachineArn: before.arn, name: 'kept', input: '{}' });
    await before.sfn.waitForExecution(done.executionArn);
    const hanging: AslDefinition = { StartAt: 'First', States: { First: invokeTask('hang', { End: true }) } };
    const stuck = service(hanging, { hang: () => new Promise(() => undefined) }, { store });
    const running = stuck.sfn.startExecution({ stateMachineArn: stuck.arn, name: 'interrupted', input: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stuck.sfn.close();
    await before.sfn.flush();
    const { sfn: after, arn } = service(twoSteps, { first: () => null, second: () => null }, { store });
    await after.restore();
    after.resume();

    expect(after.describeExecution(done.executionArn)).toMatchObject({ status: 'SUCCEEDED', name: 'kept' });
    expect(after.getExecutionHistory({ executionArn: done.executionArn }).events.length).toBeGreaterThan(3);
    expect(() => after.startExecution({ stateMachineArn: arn, name: 'kept', input: '{}' })).toThrow(/Already Exists/);
    const resumed = await after.waitForExecution(running.executionArn);
    expect(resumed.status).toBe('SUCCEEDED');
    expect(resumed.events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
  });
});

describe('given the history CLI', () => {
  it('when asked for an execution by name, then it prints each event with its state and error; without a name, it lists executions', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sfn-cli-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const { sfn, arn } = service(twoSteps, { first: () => fail('Flaky', 'try again'), undo: () => null }, { store: fileExecutionStore(join(stateDir, 'stepfunctions')) });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, name: 'order-42', input: '{}' });
    await sfn.waitForExecution(executionArn);
    await sfn.flush();

    const history = await cli(['order-42'], { LOCAL_STATE_DIR: stateDir });
    const list = await cli([], { LOCAL_STATE_DIR: stateDir });

    expect(history).toContain('order-42  FAILED');
    expect(history).toMatch(/TaskFailed\s+error=Flaky {2}cause="try again"/);
    expect(history).toMatch(/TaskStateEntered\s+Undo/);
    expect(list).toMatch(/FAILED\s+order-42 {2}\(Machine\)/);
    await expect(cli(['nope'], { LOCAL_STATE_DIR: stateDir })).rejects.toThrow(/No execution named nope/);
  });
});
