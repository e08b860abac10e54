import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCommand, npmPrefixWithEsbuild, withTypeScriptRunner } from '../../../local/cdk/app-command.js';
import { readAssembly } from '../../../local/cdk/assembly.js';
import { installHint, synthOutput } from '../../../local/cdk/synth.js';
import { readFunctions } from '../../../local/cdk/functions.js';
import { notRun, notRunTable } from '../../../local/cdk/not-run.js';
import type { CfnTemplate } from '../../../local/cdk/template.js';
import { readTopology } from '../../../local/cdk/topology.js';

/**
 * Functions and code found as aws-cdk-lib's own constructs leave them in a cloud assembly: the
 * asset manifest maps each `S3Key`/`CodeS3Location` to the staged asset; `Code.ZipFile` is inline
 * code; runtimes other than Node.js and container images are listed with the reason.
 */
const run = promisify(execFile);
let dir: string;
const PROJECT = join(import.meta.dirname, '..', '..', '..');

const SUB_BUCKET = { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' };
const template: CfnTemplate = {
  Resources: {
    Bundled: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: SUB_BUCKET, S3Key: 'aaa.zip' }, Timeout: 5, MemorySize: 256 } },
    FromDir: {
      Type: 'AWS::Lambda::Function',
      Properties: { Runtime: 'nodejs20.x', Handler: 'src/main.run', Code: { S3Bucket: SUB_BUCKET, S3Key: 'bbb.zip' }, Layers: [{ Ref: 'Shared' }] },
    },
    Shared: { Type: 'AWS::Lambda::LayerVersion', Properties: { Content: { S3Bucket: SUB_BUCKET, S3Key: 'aaa.zip' } } },
    Inline: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => 1' } } },
    Hinted: {
      Type: 'AWS::Lambda::Function',
      Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { S3Bucket: SUB_BUCKET, S3Key: 'aaa.zip' } },
      Metadata: { 'local:entry': 'resolvers/api/x.ts', 'local:handler': 'main' },
    },
    Python: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'index.handler', Code: { ZipFile: 'def handler(e, c): pass' } } },
    Image: { Type: 'AWS::Lambda::Function', Properties: { PackageType: 'Image', Code: { ImageUri: 'x' } } },
    Provider: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: 'x' } } },
    Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] } } },
    Api: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'a', AuthenticationType: 'API_KEY' } },
    Schema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, DefinitionS3Location: { 'Fn::Sub': 's3://bucket/ccc.graphql' } } },
    PySource: { Type: 'AWS::AppSync::DataSource', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Name: 'py', Type: 'AWS_LAMBDA', LambdaConfig: { LambdaFunctionArn: { 'Fn::GetAtt': ['Python', 'Arn'] } } } },
    Search: { Type: 'AWS::AppSync::DataSource', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Name: 'search', Type: 'AMAZON_OPENSEARCH_SERVICE' } },
    PyField: { Type: 'AWS::AppSync::Resolver', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, TypeName: 'Query', FieldName: 'py', DataSourceName: 'py' } },
    JsField: {
      Type: 'AWS::AppSync::Resolver',
      Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, TypeName: 'Query', FieldName: 'js', Kind: 'UNIT', CodeS3Location: { 'Fn::Sub': 's3://cdk-${AWS::AccountId}/ddd.js' } },
    },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
    Queue: { Type: 'AWS::Kinesis::Stream', Properties: {} },
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assembly-'));
  await mkdir(join(dir, 'asset.aaa'));
  await writeFile(join(dir, 'asset.aaa', 'index.js'), 'exports.handler = async () => 1;');
  await mkdir(join(dir, 'asset.bbb', 'src'), { recursive: true });
  await writeFile(join(dir, 'asset.bbb', 'src', 'main.mjs'), 'export const run = async () => 2;');
  await writeFile(join(dir, 'asset.ccc.graphql'), 'type Query { py: String js: String }');
  await writeFile(join(dir, 'asset.ddd.js'), 'export function request() { return {}; }\nexport function response(ctx) { return ctx.result; }');
  await writeFile(join(dir, 'App.template.json'), JSON.stringify(template));
  const file = (key: string, path: string) => ({ source: { path, packaging: 'zip' }, destinations: { 'current_account-current_region': { bucketName: 'b', objectKey: key } } });
  await writeFile(
    join(dir, 'App.assets.json'),
    JSON.stringify({ files: { aaa: file('aaa.zip', 'asset.aaa'), bbb: file('bbb.zip', 'asset.bbb'), ccc: file('ccc.graphql', 'asset.ccc.graphql'), ddd: file('ddd.js', 'asset.ddd.js') } }),
  );
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '55.0.0',
      artifacts: {
        'App.assets': { type: 'cdk:asset-manifest', properties: { file: 'App.assets.json' } },
        App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' } },
      },
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('function discovery from the cloud assembly', () => {
  it('given NodejsFunction and Code.fromAsset functions, when the assembly is read, then each runs its staged asset with the handler its Handler names', async () => {
    const { functions } = readFunctions(await readAssembly(dir));
    expect(functions.get('Bundled')).toMatchObject({ code: { kind: 'asset', dir: join(dir, 'asset.aaa'), module: 'index' }, handlerName: 'handler', timeoutSeconds: 5, memoryMb: 256 });
    expect(functions.get('FromDir')).toMatchObject({ code: { kind: 'asset', dir: join(dir, 'asset.bbb'), module: 'src/main', layers: [join(dir, 'asset.aaa')] }, handlerName: 'run' });
  });

  it('given Code.fromInline, when read, then the code itself is the function', async () => {
    const { functions } = readFunctions(await readAssembly(dir));
    expect(functions.get('Inline')?.code).toEqual({ kind: 'inline', code: 'exports.handler = async () => 1' });
  });

  it('given a local:entry hint, when read, then the source entry wins over the (skipped) bundle', async () => {
    const { functions } = readFunctions(await readAssembly(dir));
    expect(functions.get('Hinted')).toMatchObject({ code: { kind: 'source', entry: 'resolvers/api/x.ts' }, entry: 'resolvers/api/x.ts', handlerName: 'main' });
  });

  it('given Python, an image and a custom resource handler, when read, then none runs and each says why', async () => {
    const { functions, skipped } = readFunctions(await readAssembly(dir));
    expect([...functions.keys()].sort()).toEqual(['Bundled', 'FromDir', 'Hinted', 'Inline']);
    expect(skipped.map((s) => [s.logicalId, s.deployTime])).toEqual([
      ['Python', false],
      ['Image', false],
      ['Provider', true],
    ]);
    expect(skipped[0]?.reason).toMatch(/runtime python3\.12/);
    expect(skipped[1]?.reason).toMatch(/container image/);
  });

  it('given a schema and resolver code staged as assets, when read, then they are inlined where CloudFormation would read them', async () => {
    const topology = readTopology(await readAssembly(dir));
    expect(topology.apis[0].schema).toBe('type Query { py: String js: String }');
    expect(topology.apis[0].resolvers.find((r) => r.fieldName === 'js')?.code).toMatch(/export function request/);
  });
});

describe('an app of several stacks', () => {
  it('given a data stack exporting its table and an API stack importing it, when the assembly is read, then the data source names the table', async () => {
    const multi = await mkdtemp(join(tmpdir(), 'assembly-multi-'));
    try {
      const data = {
        Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [] } } },
        Outputs: { ExportsOutputRefTable: { Value: { Ref: 'Table' }, Export: { Name: 'Data:ExportsOutputRefTable' } } },
      };
      const api = {
        Resources: {
          Api: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'a', AuthenticationType: 'API_KEY' } },
          Schema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Definition: 'type Query { a: String }' } },
          Source: {
            Type: 'AWS::AppSync::DataSource',
            Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Name: 'items', Type: 'AMAZON_DYNAMODB', DynamoDBConfig: { TableName: { 'Fn::ImportValue': 'Data:ExportsOutputRefTable' } } },
          },
        },
      };
      await writeFile(join(multi, 'Data.template.json'), JSON.stringify(data));
      await writeFile(join(multi, 'Api.template.json'), JSON.stringify(api));
      await writeFile(
        join(multi, 'manifest.json'),
        JSON.stringify({
          artifacts: {
            Data: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Data.template.json' } },
            Api: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json' } },
          },
        }),
      );
      const topology = readTopology(await readAssembly(multi));
      expect(topology.apis[0].dataSources.get('Source')?.tableLogicalId).toBe('Table');
      expect(topology.tables.map((t) => t.logicalId)).toEqual(['Table']);
    } finally {
      await rm(multi, { recursive: true, force: true });
    }
  });
});

describe('a NestedStack', () => {
  it('given an API in a nested stack using the parent\'s table, when the assembly is read, then the nested resources join the parent with the parameters and outputs wired', async () => {
    const root = await mkdtemp(join(tmpdir(), 'assembly-nested-'));
    try {
      const nested = {
        Parameters: { referencetoParentTableRef: { Type: 'String' } },
        Resources: {
          Api: { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'n', AuthenticationType: 'API_KEY' } },
          Schema: { Type: 'AWS::AppSync::GraphQLSchema', Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Definition: 'type Query { a: String }' } },
          Source: {
            Type: 'AWS::AppSync::DataSource',
            Properties: { ApiId: { 'Fn::GetAtt': ['Api', 'ApiId'] }, Name: 'things', Type: 'AMAZON_DYNAMODB', DynamoDBConfig: { TableName: { Ref: 'referencetoParentTableRef' } } },
          },
        },
        Outputs: { ApiUrl: { Value: { 'Fn::GetAtt': ['Api', 'GraphQLUrl'] } } },
      };
      const parent = {
        Resources: {
          Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [] } },
          Nested: {
            Type: 'AWS::CloudFormation::Stack',
            Properties: {
              TemplateURL: { 'Fn::Join': ['', ['https://s3.', { Ref: 'AWS::Region' }, '.amazonaws.com/bucket/eee.json']] },
              Parameters: { referencetoParentTableRef: { Ref: 'Table' } },
            },
          },
        },
        Outputs: { Url: { Value: { 'Fn::GetAtt': ['Nested', 'Outputs.ApiUrl'] } } },
      };
      await writeFile(join(root, 'ParentNested.nested.template.json'), JSON.stringify(nested));
      await writeFile(join(root, 'Parent.template.json'), JSON.stringify(parent));
      await writeFile(
        join(root, 'Parent.assets.json'),
        JSON.stringify({ files: { eee: { source: { path: 'ParentNested.nested.template.json', packaging: 'file' }, destinations: { d: { bucketName: 'b', objectKey: 'eee.json' } } } } }),
      );
      await writeFile(
        join(root, 'manifest.json'),
        JSON.stringify({
          artifacts: {
            'Parent.assets': { type: 'cdk:asset-manifest', properties: { file: 'Parent.assets.json' } },
            Parent: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Parent.template.json' } },
          },
        }),
      );
      const assembled = await readAssembly(root);
      expect(Object.keys(assembled.Resources).sort()).toEqual(['Api', 'Schema', 'Source', 'Table']);
      expect(readTopology(assembled).apis[0].dataSources.get('Source')?.tableLogicalId).toBe('Table');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the start-up table of what is not run', () => {
  it('given the assembly, when the table is made, then unsupported resources, functions with their fields and data source kinds are listed once each', async () => {
    const assembled = await readAssembly(dir);
    const rows = notRun(assembled, readTopology(assembled));
    const byWhat = Object.fromEntries(rows.map((r) => [r.what, r.reason]));
    expect(byWhat['Queue']).toBe('not emulated by the local stack');
    expect(byWhat['Logs']).toMatch(/^no local effect: /);
    expect(byWhat['Python']).toMatch(/serves Query\.py: they answer an UnsupportedRuntime error/);
    expect(byWhat['Provider']).toMatch(/custom resource handler/);
    expect(byWhat['Search']).toMatch(/does not run/);
    expect(rows.filter((r) => r.what === 'Python')).toHaveLength(1);
    expect(notRunTable(rows)).toMatch(/^Not run locally \(\d+\):\n/);
    expect(notRunTable([])).toBe('');
  });
});

describe("cdk.json's app command", () => {
  it('given npx ts-node with flags and no ts-node installed, when run, then tsx runs the same entry', () => {
    expect(withTypeScriptRunner('npx ts-node --prefer-ts-exts bin/app.ts', dir, PROJECT)).toBe('tsx bin/app.ts');
    expect(withTypeScriptRunner('node bin/app.js', dir, PROJECT)).toBe('node bin/app.js');
  });

  it('given npx of a bin the app does not install but the local stack does, when run, then the bin runs from PATH', () => {
    expect(withTypeScriptRunner('npx tsx bin/app.ts', dir, PROJECT)).toBe('tsx bin/app.ts');
    expect(withTypeScriptRunner('npx no-such-bin-anywhere bin/app.ts', dir, PROJECT)).toBe('npx no-such-bin-anywhere bin/app.ts');
  });

  it('given `npx tsc && npx tsx app.ts` (aws-cdk-examples) and no node_modules, when run, then tsc writes its JavaScript and its type errors do not stop the app', async () => {
    // An app whose tsconfig names types that are not installed, as any app before `npm install`.
    const app = await mkdtemp(join(tmpdir(), 'app-tsc-'));
    try {
      await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { types: ['not-installed'], outDir: 'out' }, include: ['step.ts'] }));
      await writeFile(join(app, 'step.ts'), 'export const step: number = 1;\n');
      await writeFile(join(app, 'cdk.json'), JSON.stringify({ app: 'npx tsc && npx tsx -e "console.log(1 + 1)"' }));
      const { command, path } = await appCommand(app, PROJECT);
      expect(command).not.toContain('npx');
      const { stdout, stderr } = await run('/bin/sh', ['-c', command], { cwd: app, env: { ...process.env, PATH: path } });
      expect(stdout.trim()).toBe('2');
      expect(stderr).toContain('not-installed');
      await expect(readFile(join(app, 'out', 'step.js'), 'utf8')).resolves.toContain('step = 1');
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });

  it('given `npx tsc && ...` in an app with node_modules, when run, then a failing tsc stops it as `cdk synth` would', () => {
    expect(withTypeScriptRunner('npx tsc && npx tsx app.ts', PROJECT, PROJECT)).toBe('npx tsc && npx tsx app.ts');
  });

  it("given a `cdk init` app importing source-map-support/register and no node_modules, when its entry runs, then the import resolves", async () => {
    const app = await mkdtemp(join(tmpdir(), 'app-init-'));
    try {
      await writeFile(join(app, 'cdk.json'), JSON.stringify({ app: 'npx ts-node --prefer-ts-exts app.ts' }));
      await writeFile(join(app, 'app.ts'), "import 'source-map-support/register';\nconsole.log(process.sourceMapsEnabled);\n");
      const { command, path, nodePath } = await appCommand(app, PROJECT);
      const { stdout } = await run('/bin/sh', ['-c', command], { cwd: app, env: { ...process.env, PATH: path, NODE_PATH: nodePath } });
      expect(stdout.trim()).toBe('true');
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });

  it("given an app without esbuild of its own, when NodejsFunction's `npx --no-install esbuild` runs in its folder with the synthesis's npm prefix, then the local stack's esbuild runs", async () => {
    const app = await mkdtemp(join(tmpdir(), 'app-esbuild-'));
    try {
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
      const prefix = await npmPrefixWithEsbuild(join(app, 'state', 'npm-prefix'), PROJECT);
      // Made twice (a restart): the links are replaced, not refused.
      await npmPrefixWithEsbuild(prefix, PROJECT);
      const { stdout } = await run('npx', ['--no-install', 'esbuild', '--version'], { cwd: app, env: { ...process.env, npm_config_prefix: prefix } });
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });

  it('given an app without node_modules failing on a package it imports, when reported, then the message says to install its packages', () => {
    const said = "Error: Cannot find module '@aws-cdk/aws-appsync-alpha'";
    expect(installHint(said, dir)).toContain(`${dir} has no node_modules`);
    expect(installHint('TypeError: x is not a function', dir)).toBe('');
    expect(installHint(said, PROJECT)).toBe('');
  });

  it('given a synthesis failing with its reason on stdout only (tsc), when reported, then the reason is in the message', () => {
    const failure = Object.assign(new Error('Command failed: /bin/sh -c tsc && tsx app.ts'), { stderr: '', stdout: "lib/stack.ts(3,1): error TS2304: Cannot find name 'x'.\n" });
    expect(synthOutput(failure)).toContain('error TS2304');
    expect(synthOutput(Object.assign(new Error('boom'), { stderr: 'on stderr', stdout: '' }))).toBe('on stderr');
  });
});
