/**
 * The template's state machines, as the local Step Functions runs them: the definition
 * (`DefinitionString`, an `Fn::Join` around the functions' ARNs, or `Definition`) resolved with
 * the local values, so every Task names a local function.
 */
import { type CfnTemplate, type LocalValues, TemplateError, referencedLogicalId, resolveIntrinsics, resourcesOfType } from '../cdk/template.js';
import { lambdaFunctionName, stateMachineArn, stateMachineNameOf } from './names.js';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

/** An Amazon States Language document, as far as the local stack looks into it. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
  readonly [other: string]: unknown;
}

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[] }[];
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly Iterator?: AslDefinition;
  readonly ItemProcessor?: AslDefinition;
  readonly Branches?: readonly AslDefinition[];
  readonly [other: string]: unknown;
}

export interface StateMachineSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly type: StateMachineType;
  /** The resolved definition, as the JSON text DescribeStateMachine returns. */
  readonly definitionString: string;
  readonly definition: AslDefinition;
  readonly roleArn: string;
  readonly roleLogicalId: string | undefined;
  readonly loggingConfiguration: unknown;
  readonly tracingEnabled: boolean;
}

export function readStateMachines(template: CfnTemplate, values: LocalValues): StateMachineSpec[] {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([logicalId, resource]) => {
    const p = resource.Properties ?? {};
    let definition: unknown;
    if (p['DefinitionString'] !== undefined) {
      const text = resolveIntrinsics(p['DefinitionString'], values);
      if (typeof text !== 'string') throw new TemplateError(`${logicalId}: DefinitionString does not resolve to a string`);
      try {
        definition = JSON.parse(text);
      } catch (error) {
        throw new TemplateError(`${logicalId}: DefinitionString is not JSON: ${(error as Error).message}`);
      }
    } else if (p['Definition'] !== undefined) {
      definition = resolveIntrinsics(p['Definition'], values);
    } else {
      throw new TemplateError(`${logicalId}: the definition must be in the template (DefinitionString or Definition), not in S3`);
    }
    if (typeof definition !== 'object' || definition === null || typeof (definition as AslDefinition).StartAt !== 'string') {
      throw new TemplateError(`${logicalId}: the definition has no StartAt`);
    }
    const name = stateMachineNameOf(template, logicalId);
    const type = p['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    const tracing = p['TracingConfiguration'] as { Enabled?: unknown } | undefined;
    return {
      logicalId,
      name,
      arn: stateMachineArn(values.region, values.accountId, name),
      type,
      definitionString: JSON.stringify(definition),
      definition: definition as AslDefinition,
      roleArn: String(resolveIntrinsics(p['RoleArn'], values) ?? ''),
      roleLogicalId: referencedLogicalId(p['RoleArn']),
      loggingConfiguration: p['LoggingConfiguration'] ?? null,
      tracingEnabled: tracing?.Enabled === true,
    };
  });
}

/** Every state of a definition, nested ones (Map, Parallel) included, by name. */
export function allStates(definition: AslDefinition): [string, AslState][] {
  const found: [string, AslState][] = [];
  const visit = (machine: AslDefinition) => {
    for (const [name, state] of Object.entries(machine.States)) {
      found.push([name, state]);
      if (state.Iterator) visit(state.Iterator);
      if (state.ItemProcessor) visit(state.ItemProcessor);
      for (const branch of state.Branches ?? []) visit(branch);
    }
  };
  visit(definition);
  return found;
}

/** What a Task's `Resource` asks for: the Lambda integrations the local Step Functions runs. */
export type Integration =
  | { readonly kind: 'invoke' }
  | { readonly kind: 'invokeWaitForToken' }
  | { readonly kind: 'function'; readonly functionName: string }
  | { readonly kind: 'unsupported' };

export function integrationOf(resource: string): Integration {
  if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) return { kind: 'invoke' };
  if (/^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) return { kind: 'invokeWaitForToken' };
  if (/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return { kind: 'function', functionName: lambdaFunctionName(resource) };
  }
  return { kind: 'unsupported' };
}
