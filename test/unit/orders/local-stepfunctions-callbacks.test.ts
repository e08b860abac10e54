import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FunctionError } from '../../../local/lambda/local-function.js';
import type { AslDefinition } from '../../../local/stepfunctions/definitions.js';
import { type ExecutionStore, RecordSaver, fileExecutionStore } from '../../../local/stepfunctions/store.js';
import { type Handlers, MACHINE_ARN as ARN, fnArn, invokeTask, stepFunctionsWith } from '../../support/step-functions.js';

/**
 * The local Step Functions' callback tasks (`.waitForTaskToken` with SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat, heartbeat and task timeouts), Parallel and Choice, and
 * executions that go on after a restart: functions faked in-process.
 */

const waitTask = (name: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: { FunctionName: fnArn(name), Payload: { 'orderId.$': '$.orderId', 'token.$': '$$.Task.Token' } },
  ResultPath: '$.answer',
  ...extra,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function service(definition: AslDefinition, handlers: Handlers, store?: ExecutionStore) {
  const made = stepFunctionsWith(definition, handlers, store === undefined ? {} : { store });
  cleanups.push(() => made.sfn.close());
  return made;
}

/** A function that hands the token it was given to the test. */
function tokenCatcher() {
  const tokens: string[] = [];
  let notify: (() => void) | undefined;
  return {
    tokens,
    handler: (payload: Record<string, unknown>) => {
      tokens.push(String(payload['token']));
      notify?.();
      return { requested: true };
    },
    async next(count = tokens.length + 1): Promise<string> {
      while (tokens.length < count) await new Promise<void>((resolve) => (notify = resolve));
      return tokens[count - 1]!;
    },
  };
}

const approval: AslDefinition = {
  StartAt: 'Approve',
  States: {
    Approve: waitTask('approve', {
      TimeoutSeconds: 60,
      Next: 'Done',
      Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.error', Next: 'WasRejected' }],
    }),
    Done: { Type: 'Succeed' },
    WasRejected: { Type: 'Fail', Error: 'Rejected', Cause: 'caught' },
  },
};

describe('given a .waitForTaskToken task', () => {
  it('when SendTaskSuccess answers its token, then the output is the task result and a second answer gets TaskTimedOut', async () => {
    const catcher = tokenCatcher();
    const { sfn, calls } = service(approval, { approve: catcher.handler });
    const { executionArn } = sfn.startExecution({ stateMachineArn: ARN, input: '{"orderId":"o-1"}' });
    const token = await catcher.next();

    sfn.answerTask('SendTaskSuccess', { taskToken: token, output: '{"approvedBy":"bob"}' });
    const done = await sfn.waitForExecution(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-1', answer: { approvedBy: 'bob' } });
    expect(calls['approve']).toEqual([{ orderId: 'o-1', token }]);
    expect(done.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
    expect(() => sfn.answerTask('SendTaskFailure', { taskToken: token })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
  });

  it('when SendTaskFailure answers, then Catch sees its error and cause', async () => {
    const catcher = tokenCatcher();
    const { sfn } = service(approval, { approve: catcher.handler });
    const { executionArn } = sfn.startExecution({ stateMachineArn: ARN, input: '{"orderId":"o-2"}' });

    sfn.answerTask('SendTaskFailure', { taskToken: await catcher.next(), error: 'Rejected', cause: 'too dear' });
    const done = await sfn.waitForExecution(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'Rejected' });
    const failed = done.events.find((e) => e.type === 'TaskFailed');
    expect(failed?.['taskFailedEventDetails']).toMatchObject({ error: 'Rejected', cause: 'too dear', resource: 'invoke.waitForTaskToken' });
    expect(done.events.find((e) => e.type === 'FailStateEntered')?.['stateEnteredEventDetails']).toMatchObject({
      input: JSON.stringify({ orderId: 'o-2', error: { Error: 'Rejected', Cause: 'too dear' } }),
    });
  });

  it('when an answer is malformed or names nothing, then the API errors say which', async () => {
    const catcher = tokenCatcher();
    const { sfn } = service(approval, { approve: catcher.handler });
    sfn.startExecution({ stateMachineArn: ARN, input: '{"orderId":"o-3"}' });
    const token = await catcher.next();
    const otherExecution = token.replace(/^[^.]+/, Buffer.from(`${ARN.replace('stateMachine', 'execution')}:nope`).toString('base64url'));

    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: 'garbage', output: '{}' })).toThrow(expect.objectContaining({ type: 'InvalidToken' }));
    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: token, output: 'not json' })).toThrow(expect.objectContaining({ type: 'InvalidOutput' }));
    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: otherExecution, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskDoesNotExist' }));
    expect(() => sfn.answerTask('SendTaskFailure', { taskToken: token, error: 'x'.repeat(257) })).toThrow(expect.objectContaining({ type: 'ValidationException' }));
  });

  it('when the function fails, then the task fails with its error and the token is closed', async () => {
    const catcher = tokenCatcher();
    const { sfn } = service(approval, {
      approve: (payload) => {
        catcher.handler(payload);
        throw new FunctionError('approve', { errorType: 'Boom', errorMessage: 'no', trace: [] });
      },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn: ARN, input: '{"orderId":"o-4"}' });

    const done = await sfn.waitForExecution(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'Boom' });
    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: catcher.tokens[0], output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
  });

  it('when no heartbeat comes within HeartbeatSeconds, then the task fails with States.HeartbeatTimeout; heartbeats keep it waiting', async () => {
    const definition: AslDefinition = {
      StartAt: 'Approve',
      States: {
        Approve: waitTask('approve', {
          TimeoutSeconds: 30,
          HeartbeatSeconds: 1,
          End: true,
          Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        }),
        TimedOut: { Type: 'Pass', End: true },
      },
    };
    const catcher = tokenCatcher();
    const { sfn } = service(definition, { approve: catcher.handler });
    const silent = sfn.startExecution({ stateMachineArn: ARN, name: 'silent', input: '{"orderId":"a"}' });
    const kept = sfn.startExecution({ stateMachineArn: ARN, name: 'kept', input: '{"orderId":"b"}' });
    await catcher.next(2);
    const keptToken = catcher.tokens.find((t) => t.startsWith(`${Buffer.from(kept.executionArn).toString('base64url')}.`))!;

    for (let i = 0; i < 6; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      sfn.answerTask('SendTaskHeartbeat', { taskToken: keptToken });
    }
    sfn.answerTask('SendTaskSuccess', { taskToken: keptToken, output: '"ok"' });
    const [timedOut, answered] = await Promise.all([sfn.waitForExecution(silent.executionArn), sfn.waitForExecution(kept.executionArn)]);

    expect(timedOut.status).toBe('SUCCEEDED');
    expect(JSON.parse(timedOut.output!)).toMatchObject({ error: { Error: 'States.HeartbeatTimeout' } });
    expect(timedOut.events.find((e) => e.type === 'TaskTimedOut')?.['taskTimedOutEventDetails']).toMatchObject({ error: 'States.HeartbeatTimeout' });
    expect(answered.status).toBe('SUCCEEDED');
    expect(JSON.parse(answered.output!)).toEqual({ orderId: 'b', answer: 'ok' });
  });

  it('when TimeoutSeconds pass, then the task fails with States.Timeout and a late answer gets TaskTimedOut', async () => {
    const definition: AslDefinition = { StartAt: 'Approve', States: { Approve: waitTask('approve', { TimeoutSeconds: 1, End: true }) } };
    const catcher = tokenCatcher();
    const { sfn } = service(definition, { approve: catcher.handler });
    const { executionArn } = sfn.startExecution({ stateMachineArn: ARN, input: '{"orderId":"c"}' });
    const token = await catcher.next();

    const done = await sfn.waitForExecution(executionArn);

    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(done.events.map((e) => e.type)).toContain('TaskTimedOut');
    expect(() => sfn.answerTask('SendTaskSuccess', { taskToken: token, output: '{}' })).toThrow(expect.objectContaining({ type: 'TaskTimedOut' }));
  });
});

describe('given Parallel and Choice states', () => {
  const definition: AslDefinition = {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [{ Variable: '$.total', NumericGreaterThanEquals: 100, Next: 'Both' }],
        Default: 'Small',
      },
      Small: { Type: 'Pass', Result: 'small', ResultPath: '$.route', End: true },
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Left', States: { Left: invokeTask('left', { End: true }) } },
          { StartAt: 'Right', States: { Right: invokeTask('right', { End: true }) } },
        ],
        ResultPath: '$.branches',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'BranchFailed' }],
        End: true,
      },
      BranchFailed: { Type: 'Pass', End: true },
    },
  };

  it('when the rule matches, then every branch gets the input and the output lists their results in branch order', async () => {
    const { sfn, calls } = service(definition, { left: () => 'L', right: () => 'R' });

    const big = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: ARN, input: '{"total":150}' }).executionArn);
    const small = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: ARN, input: '{"total":5}' }).executionArn);

    expect(JSON.parse(big.output!)).toEqual({ total: 150, branches: [{ total: 150, left: { result: 'L' } }, { total: 150, right: { result: 'R' } }] });
    expect(calls['left']).toEqual([{ total: 150 }]);
    expect(calls['right']).toEqual([{ total: 150 }]);
    expect(JSON.parse(small.output!)).toEqual({ total: 5, route: 'small' });
    expect(big.events.map((e) => e.type)).toEqual(expect.arrayContaining(['ChoiceStateEntered', 'ParallelStateEntered', 'ParallelStateExited']));
  });

  it('when a branch fails, then the Parallel state fails and its Catch takes over', async () => {
    const { sfn } = service(definition, {
      left: () => 'L',
      right: () => {
        throw new FunctionError('right', { errorType: 'Broken', errorMessage: 'no', trace: [] });
      },
    });

    const done = await sfn.waitForExecution(sfn.startExecution({ stateMachineArn: ARN, input: '{"total":150}' }).executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({ error: { Error: 'Broken' } });
  });
});

describe('given an execution waiting when the stack stops', () => {
  const definition: AslDefinition = {
    StartAt: 'Before',
    States: {
      Before: invokeTask('before', { Next: 'Approve' }),
      Approve: waitTask('approve', { TimeoutSeconds: 60, Next: 'After' }),
      After: invokeTask('after', { End: true }),
    },
  };

  async function store() {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-resume-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return fileExecutionStore(dir);
  }

  it.each([
    ['stopped', true],
    ['killed (nothing written at the end)', false],
  ])('when it is %s and started again on the same folder, then the same token completes it and no completed state runs again', async (_how, closes) => {
    const kept = await store();
    const catcher = tokenCatcher();
    const first = service(definition, { before: () => 'b', approve: catcher.handler, after: () => 'a' }, kept);
    const { executionArn } = first.sfn.startExecution({ stateMachineArn: ARN, name: 'order-1', input: '{"orderId":"o-9"}' });
    const token = await catcher.next();
    // The function has the token; the execution writes the waiting task once it submitted it.
    await expect.poll(() => first.sfn.describeExecution(executionArn).events.some((e) => e.type === 'TaskSubmitted')).toBe(true);
    if (closes) await first.sfn.close();
    else await first.sfn.flush();

    const second = service(definition, { before: () => 'again', approve: () => 'again', after: () => 'a' }, kept);
    await second.sfn.restore();
    second.sfn.resume();
    expect(second.sfn.describeExecution(executionArn).status).toBe('RUNNING');
    second.sfn.answerTask('SendTaskSuccess', { taskToken: token, output: '{"ok":true}' });
    const done = await second.sfn.waitForExecution(executionArn);

    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ orderId: 'o-9', before: { result: 'b' }, answer: { ok: true }, after: { result: 'a' } });
    expect(second.calls['before']).toBeUndefined();
    expect(second.calls['approve']).toBeUndefined();
    expect(done.events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(done.events.filter((e) => e.type === 'TaskStateEntered').map((e) => (e['stateEnteredEventDetails'] as { name: string }).name)).toEqual(['Before', 'Approve', 'After']);
  });

  it('when it stops while the function that hands the token on still runs, then the next start invokes it again with the same token', async () => {
    const kept = await store();
    const given: string[] = [];
    const first = service(definition, { before: () => 'b', approve: (payload) => (given.push(String(payload['token'])), new Promise(() => undefined)), after: () => 'a' }, kept);
    const { executionArn } = first.sfn.startExecution({ stateMachineArn: ARN, name: 'order-2', input: '{"orderId":"o-10"}' });
    await expect.poll(() => given.length).toBe(1);
    await first.sfn.close();

    const catcher = tokenCatcher();
    const second = service(definition, { before: () => 'again', approve: catcher.handler, after: () => 'a' }, kept);
    await second.sfn.restore();
    // Until the rest of the stack is up, nothing runs: the functions may not be built yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const beforeResume = catcher.tokens.length;
    second.sfn.resume();
    const handedOn = await catcher.next();
    second.sfn.answerTask('SendTaskSuccess', { taskToken: given[0], output: '{"ok":true}' });
    const done = await second.sfn.waitForExecution(executionArn);

    expect(beforeResume).toBe(0);
    expect(handedOn).toBe(given[0]);
    expect(catcher.tokens).toHaveLength(1);
    expect(second.calls['before']).toBeUndefined();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.events.filter((e) => e.type === 'TaskSubmitted')).toHaveLength(1);
  });
});

describe('given a task whose function is still running when the stack stops', () => {
  it('when the function then fails, then the interpreter\'s retry invokes nothing and nothing is written after the stop', async () => {
    const saves: string[] = [];
    let stopped = false;
    const counting: ExecutionStore = { load: async () => [], save: async (record) => void saves.push(stopped ? 'after stop' : record.status) };
    let fail!: (error: Error) => void;
    const definition: AslDefinition = {
      StartAt: 'Approve',
      States: {
        Approve: waitTask('approve', { Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 1 }], Next: 'Done' }),
        Done: { Type: 'Succeed' },
      },
    };
    const { sfn, calls } = service(definition, { approve: () => new Promise((_resolve, reject) => (fail = reject)) }, counting);
    sfn.startExecution({ stateMachineArn: ARN, name: 'order-3', input: '{"orderId":"o-11"}' });
    await expect.poll(() => calls['approve']?.length ?? 0).toBe(1);

    await sfn.close();
    stopped = true;
    fail(new FunctionError('approve', { errorType: 'Error', errorMessage: 'connect ECONNREFUSED', trace: [] }));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(calls['approve']).toHaveLength(1);
    expect(saves.filter((s) => s === 'after stop')).toHaveLength(0);
  });
});

describe('given a record with a save a moment away', () => {
  it('when the saver is flushed, then the record is written at once, and once', async () => {
    const saved: string[] = [];
    const saver = new RecordSaver({ load: async () => [], save: async (record) => void saved.push(record.executionArn) }, () => undefined);
    const record = { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Machine:x' } as Parameters<RecordSaver['save']>[0];

    saver.saveSoon(record);
    saver.saveSoon(record);
    await saver.flush();
    const atFlush = saved.length;
    await new Promise((resolve) => setTimeout(resolve, 250));

    expect(atFlush).toBe(1);
    expect(saved).toEqual([record.executionArn]);
  });
});
