import type { AslDefinition, StateMachineSpec } from '../../local/stepfunctions/definitions.js';
import { FunctionNotFoundError, LocalStepFunctions } from '../../local/stepfunctions/service.js';

/** The local Step Functions with its functions faked in-process, for the unit tests of the service. */

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Machine`;
export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** A `lambda:invoke` task of the function `name`; its result lands at `$.<name>.result`. */
export const invokeTask = (name: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: fnArn(name), 'Payload.$': '$' },
  ResultSelector: { 'result.$': '$.Payload' },
  ResultPath: `$.${name}`,
  ...extra,
});

/** `definition` as the synthesized template would give it, named Machine. */
export const machine = (definition: AslDefinition, overrides: Partial<StateMachineSpec> = {}): StateMachineSpec => ({
  logicalId: 'Machine',
  name: 'Machine',
  arn: MACHINE_ARN,
  type: 'STANDARD',
  definitionString: JSON.stringify(definition),
  definition,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/MachineRole`,
  roleLogicalId: 'MachineRole',
  loggingConfiguration: null,
  tracingEnabled: true,
  ...overrides,
});

/** Fake functions by name: each gets the payload and which call of it this is (1, 2, ...). */
export type Handlers = Record<string, (payload: Record<string, unknown>, call: number) => unknown>;

/**
 * The service running `definition` with `handlers` for functions; `calls` records every payload
 * by function. Retries wait 5 ms. The caller closes `sfn`.
 */
export function stepFunctionsWith(definition: AslDefinition, handlers: Handlers, options: Partial<ConstructorParameters<typeof LocalStepFunctions>[0]> = {}) {
  const calls: Record<string, Record<string, unknown>[]> = {};
  const sfn = new LocalStepFunctions({
    stateMachines: [machine(definition)],
    region: REGION,
    accountId: ACCOUNT,
    invokeFunction: async (name, payload) => {
      const handler = handlers[name];
      if (!handler) throw new FunctionNotFoundError(name);
      const made = (calls[name] ??= []);
      made.push(payload as Record<string, unknown>);
      return handler(payload as Record<string, unknown>, made.length);
    },
    retryIntervalMs: 5,
    ...options,
  });
  return { sfn, calls, arn: MACHINE_ARN };
}
