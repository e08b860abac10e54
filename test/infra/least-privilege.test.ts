import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTION_DYNAMODB_ACTIONS } from '../../infra/constructs/dynamodb-access.js';
import { LOCAL_ENTRY_METADATA } from '../../infra/constructs/service-function.js';
import { repoPath } from '../../infra/paths.js';
import { synthesize } from './synth.js';

/**
 * Least privilege in the template: every function's DynamoDB grants are actions its code can
 * call, and the data key's policy gives no principal of the whole account a way around
 * `kms:ViaService`.
 *
 * "Its code" is the function's bundle (as esbuild builds it, tree-shaken): the DynamoDB commands
 * it holds are what it can send. An action no command in the bundle performs fails the test.
 */

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };
type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

/** The DynamoDB actions each command of the SDK performs. */
const COMMAND_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  GetCommand: ['GetItem'],
  GetItemCommand: ['GetItem'],
  PutCommand: ['PutItem'],
  PutItemCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  UpdateItemCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  DeleteItemCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  BatchGetCommand: ['BatchGetItem'],
  BatchGetItemCommand: ['BatchGetItem'],
  BatchWriteCommand: ['BatchWriteItem'],
  BatchWriteItemCommand: ['BatchWriteItem'],
  // A transaction is authorized item by item.
  TransactWriteCommand: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  TransactWriteItemsCommand: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  TransactGetCommand: ['GetItem'],
  TransactGetItemsCommand: ['GetItem'],
  DescribeTableCommand: ['DescribeTable'],
};

/** The DynamoDB actions the entry's bundle can perform. */
async function bundleActions(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [repoPath(entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    outfile: 'out.js',
    logLevel: 'silent',
    external: ['sharp'],
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  const actions = new Set<string>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const command = /(?:lib|client)-dynamodb\/dist-[a-z]+\/commands\/([A-Za-z]+)\.js$/.exec(file)?.[1];
    if (command !== undefined && input.bytesInOutput > 0) for (const action of COMMAND_ACTIONS[command] ?? []) actions.add(action);
  }
  return actions;
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

describe('given the synthesized stack', () => {
  const template = synthesize({ stage: 'prod', stackName: 'LeastPrivilege', paymentProvider: 'stripe' }).template.toJSON() as { Resources: Record<string, Resource> };
  const resources = Object.entries(template.Resources);
  const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.[LOCAL_ENTRY_METADATA] === 'string');

  /** The DynamoDB actions a function's role is granted, from its role's policies. */
  function grantedDynamoDb(fn: Resource): Set<string> {
    const role = JSON.stringify(fn.Properties['Role']);
    const granted = new Set<string>();
    for (const [, policy] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy')) {
      if (!JSON.stringify(policy.Properties['Roles']).includes(JSON.parse(role)['Fn::GetAtt'][0])) continue;
      const statements = (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement;
      for (const statement of statements) {
        for (const action of asList(statement.Action)) if (action.startsWith('dynamodb:')) granted.add(action.slice('dynamodb:'.length));
      }
    }
    return granted;
  }

  it('then every function with a table has its actions listed in infra/constructs/dynamodb-access.ts', () => {
    const unlisted = functions
      .filter(([, fn]) => grantedDynamoDb(fn).size > 0)
      .map(([, fn]) => fn.Metadata![LOCAL_ENTRY_METADATA] as string)
      .filter((entry) => FUNCTION_DYNAMODB_ACTIONS[entry] === undefined);
    expect(unlisted).toEqual([]);
  });

  it('then no function is granted a DynamoDB action its code never calls', async () => {
    const excess: string[] = [];
    for (const [id, fn] of functions) {
      const granted = grantedDynamoDb(fn);
      if (granted.size === 0) continue;
      const callable = await bundleActions(fn.Metadata![LOCAL_ENTRY_METADATA] as string);
      for (const action of granted) if (!callable.has(action)) excess.push(`${id}: dynamodb:${action}`);
    }
    expect(excess).toEqual([]);
  }, 240_000);

  it('then the check can fail: a step that never batch-writes or describes a table has no command for it in its bundle', async () => {
    const callable = await bundleActions('resolvers/orders/handlers/confirm-order.ts');

    expect(callable.has('UpdateItem')).toBe(true);
    expect(callable.has('BatchWriteItem')).toBe(false);
    expect(callable.has('DescribeTable')).toBe(false);
  }, 60_000);

  it('then the orders functions have no read-write set: no Scan, BatchWriteItem or DeleteItem but where listed', () => {
    const ordersFunctions = functions.filter(([, fn]) => String(fn.Metadata![LOCAL_ENTRY_METADATA]).startsWith('resolvers/orders/'));
    const broad = ordersFunctions.flatMap(([id, fn]) =>
      [...grantedDynamoDb(fn)].filter((a) => ['BatchWriteItem', 'DeleteItem', 'DescribeTable'].includes(a)).map((a) => `${id}: ${a}`),
    );
    expect(ordersFunctions.length).toBeGreaterThan(10);
    expect(broad).toEqual([]);
  });

  it('then the data key policy has no statement for the whole account without kms:ViaService, and nobody may CreateGrant unconditionally', () => {
    const keys = resources.filter(([, r]) => r.Type === 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const [id, key] of keys) {
      const statements = (key.Properties['KeyPolicy'] as { Statement: Statement[] }).Statement;
      for (const statement of statements) {
        const principal = JSON.stringify(statement.Principal ?? {});
        const wholeAccount = principal === '{"AWS":"*"}' || principal === '"*"' || /:root"/.test(principal);
        const viaService = Object.values(statement.Condition ?? {}).some((condition) => 'kms:ViaService' in condition);
        expect(wholeAccount && !viaService, `${id} ${JSON.stringify(statement)}`).toBe(false);
        if (asList(statement.Action).some((a) => a === 'kms:CreateGrant' || a === 'kms:*' || a === 'kms:Create*')) {
          expect(principal, `${id}: CreateGrant for ${principal}`).not.toMatch(/"\*"/);
          expect(viaService, `${id}: CreateGrant without kms:ViaService`).toBe(true);
        }
      }
    }
  });
});
