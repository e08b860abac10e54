/**
 * Writes `amplify_outputs.json` for a deployed stack from its CloudFormation outputs, so an
 * Amplify client configured for the local stack works against AWS unchanged.
 *
 *   npm run deploy                      # writes cdk.out/outputs.json (--outputs-file)
 *   npm run outputs                     # -> amplify_outputs.json
 *   npm run outputs -- --stack AppsyncLambdaProd --out web/amplify_outputs.json
 *   aws cloudformation describe-stacks --stack-name AppsyncLambdaStack | npm run outputs -- --from -
 *
 * Input: the CDK CLI's outputs file (`{ "<stack>": { "<key>": "<value>" } }`) or the AWS CLI's
 * `describe-stacks` answer (`{ "Stacks": [{ "StackName", "Outputs": [{ OutputKey, OutputValue }] }] }`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AuthMode } from '../local/contracts.js';
import { amplifyOutputs, type AmplifyOutputs } from '../local/outputs.js';

export const DEFAULT_OUTPUTS_FILE = 'cdk.out/outputs.json';

export class OutputsError extends Error {
  override readonly name = 'OutputsError';
}

/** The outputs of each stack in either input shape. */
export function stackOutputs(input: unknown): Map<string, Record<string, string>> {
  if (input === null || typeof input !== 'object') throw new OutputsError('The outputs are not a JSON object');
  const stacks = (input as { Stacks?: unknown }).Stacks;
  const result = new Map<string, Record<string, string>>();
  if (Array.isArray(stacks)) {
    for (const stack of stacks as { StackName?: unknown; Outputs?: { OutputKey?: unknown; OutputValue?: unknown }[] }[]) {
      const outputs: Record<string, string> = {};
      for (const output of stack.Outputs ?? []) {
        if (typeof output.OutputKey === 'string' && typeof output.OutputValue === 'string') outputs[output.OutputKey] = output.OutputValue;
      }
      result.set(String(stack.StackName), outputs);
    }
    return result;
  }
  for (const [stackName, outputs] of Object.entries(input as Record<string, unknown>)) {
    if (outputs === null || typeof outputs !== 'object') continue;
    result.set(stackName, Object.fromEntries(Object.entries(outputs).filter((entry): entry is [string, string] => typeof entry[1] === 'string')));
  }
  return result;
}

const REQUIRED = ['GraphQLUrl', 'UserPoolId', 'UserPoolClientId', 'Region', 'AuthorizationModes'] as const;
const AUTH_MODES: readonly AuthMode[] = ['AMAZON_COGNITO_USER_POOLS', 'API_KEY', 'AWS_IAM', 'OPENID_CONNECT', 'AWS_LAMBDA'];

/** The Amplify configuration for one stack's outputs. */
export function amplifyOutputsFromStack(outputs: Readonly<Record<string, string>>): AmplifyOutputs {
  const missing = REQUIRED.filter((key) => outputs[key] === undefined || outputs[key] === '');
  if (missing.length > 0) throw new OutputsError(`The stack has no output ${missing.join(', ')}; deploy the current version first`);
  const modes = (outputs['AuthorizationModes'] ?? '').split(',').map((mode) => mode.trim());
  const unknown = modes.filter((mode) => !AUTH_MODES.includes(mode as AuthMode));
  if (unknown.length > 0) throw new OutputsError(`Unknown authorization mode ${unknown.join(', ')}`);
  const [defaultMode, ...additionalModes] = modes as AuthMode[];
  return amplifyOutputs({
    region: outputs['Region'] ?? '',
    graphqlUrl: outputs['GraphQLUrl'] ?? '',
    apiKey: outputs['ApiKey'],
    defaultMode: defaultMode ?? 'AMAZON_COGNITO_USER_POOLS',
    additionalModes,
    userPoolId: outputs['UserPoolId'] ?? '',
    userPoolClientId: outputs['UserPoolClientId'] ?? '',
  });
}

/** Picks the stack: the one named, the only one, or an error that lists them. */
export function chooseStack(stacks: ReadonlyMap<string, Record<string, string>>, name: string | undefined): Record<string, string> {
  if (name !== undefined) {
    const outputs = stacks.get(name);
    if (outputs === undefined) throw new OutputsError(`No stack ${name} in the outputs (found: ${[...stacks.keys()].join(', ') || 'none'})`);
    return outputs;
  }
  const [only, ...others] = [...stacks.values()];
  if (only === undefined) throw new OutputsError('The outputs hold no stack');
  if (others.length > 0) throw new OutputsError(`Several stacks (${[...stacks.keys()].join(', ')}): choose one with --stack`);
  return only;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: DEFAULT_OUTPUTS_FILE },
      stack: { type: 'string' },
      out: { type: 'string', default: 'amplify_outputs.json' },
    },
  });
  const source = values.from ?? DEFAULT_OUTPUTS_FILE;
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new OutputsError(`Cannot read ${source}: deploy with \`npm run deploy\` (it writes ${DEFAULT_OUTPUTS_FILE}) or pipe \`aws cloudformation describe-stacks\` with --from -`, { cause: error });
  }
  const config = amplifyOutputsFromStack(chooseStack(stackOutputs(JSON.parse(text)), values.stack));
  const out = path.resolve(values.out ?? 'amplify_outputs.json');
  writeFileSync(out, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`Wrote ${out} for ${config.data.url}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof OutputsError ? error.message : error);
    process.exitCode = 1;
  }
}
