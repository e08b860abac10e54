/** How the local stack names state machines and executions, as AWS shapes their ARNs. */
import type { CfnTemplate } from '../cdk/template.js';

/** The template's `StateMachineName` when it is a plain string, else the logical id (as tables are named locally). */
export function stateMachineNameOf(template: CfnTemplate, logicalId: string): string {
  const name = template.Resources[logicalId]?.Properties?.['StateMachineName'];
  return typeof name === 'string' && name !== '' ? name : logicalId;
}

export const stateMachineArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;

export function executionArnOf(stateMachine: string, executionName: string, type: 'STANDARD' | 'EXPRESS'): string {
  const [prefix, name] = splitStateMachineArn(stateMachine);
  return `${prefix}:${type === 'EXPRESS' ? 'express' : 'execution'}:${name}:${executionName}`;
}

/** `arn:aws:states:r:a:stateMachine:name` -> [`arn:aws:states:r:a`, `name`]. */
function splitStateMachineArn(arn: string): [string, string] {
  const parts = arn.split(':');
  return [parts.slice(0, 5).join(':'), parts.slice(6).join(':')];
}

/** The function name in a Lambda function ARN, a partial ARN (`account:function:name`) or a plain name, without qualifier. */
export function lambdaFunctionName(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  if (parts[0] === 'arn') return parts[6] ?? '';
  if (parts[1] === 'function') return parts[2] ?? '';
  return parts[0] ?? '';
}
