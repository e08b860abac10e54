import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceFunction } from '../../infra/constructs/service-function.js';
import { repoPath } from '../../infra/paths.js';

const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway project: the repo's package files and node_modules, and one small handler. */
function makeProject(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'service-function-'));
  tempDirs.push(root);
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(repoPath(file), path.join(root, file));
  }
  symlinkSync(repoPath('node_modules'), path.join(root, 'node_modules'), 'dir');
  mkdirSync(path.join(root, 'src'));
  writeFileSync(
    path.join(root, 'src', 'hello.ts'),
    [
      "import { S3Client } from '@aws-sdk/client-s3';",
      'const client = new S3Client({});',
      'export const greet = async (): Promise<string> => `hello ${typeof client}`;',
      '',
    ].join('\n'),
  );
  return root;
}

describe('given a service function built with bundling', () => {
  let template: Template;
  let bundleDir: string;

  beforeAll(() => {
    const projectRoot = makeProject();
    const outdir = mkdtempSync(path.join(tmpdir(), 'service-function-out-'));
    tempDirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'Fn');
    const fn = new ServiceFunction(stack, 'Hello', {
      entry: 'src/hello.ts',
      handler: 'greet',
      projectRoot,
      environment: { EXTRA: 'yes' },
    });
    fn.bindTable(new Table(stack, 'Table', { partitionKey: { name: 'id', type: AttributeType.STRING } }), 'RO', 'TABLE');
    fn.bindBucket(new Bucket(stack, 'Bucket'), 'PUT', 'BUCKET', 'in/*');
    template = Template.fromStack(stack);
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    bundleDir = path.join(outdir, assets[0] ?? '');
  });

  describe('when looking at the bundle', () => {
    it('then it is one minified ES module with a source map and `require` defined', () => {
      const files = readdirSync(bundleDir).sort();
      expect(files).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*as greet/);
    });

    it('then the AWS SDK is bundled in, not imported from the runtime at init', () => {
      const code = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(code).not.toMatch(/import\(\s*["']@aws-sdk\//);
      // The S3 client's own code (its service id), not a reference to a package.
      expect(code).toContain('AmazonS3');
      expect(existsSync(path.join(bundleDir, 'node_modules'))).toBe(false);
    });

    it('then its source map has the mappings for stack traces but not the sources', () => {
      const map = JSON.parse(readFileSync(path.join(bundleDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources.some((source) => source.endsWith('src/hello.ts'))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
    });
  });

  describe('when looking at the function', () => {
    it('then it calls the named export and says where its source is', () => {
      template.hasResource('AWS::Lambda::Function', {
        Properties: Match.objectLike({
          Handler: 'index.greet',
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          MemorySize: 512,
          Timeout: 10,
          Environment: {
            Variables: {
              NODE_OPTIONS: '--enable-source-maps',
              POWERTOOLS_SERVICE_NAME: 'Hello',
              EXTRA: 'yes',
              TABLE: { Ref: Match.stringLikeRegexp('^Table') },
              BUCKET: { Ref: Match.stringLikeRegexp('^Bucket') },
            },
          },
        }),
        Metadata: Match.objectLike({ 'local:entry': 'src/hello.ts', 'local:handler': 'greet' }),
      });
    });

    it('then a read-only table binding grants no writes and a PUT binding only writes under its prefix', () => {
      const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
      expect(policies).toContain('dynamodb:GetItem');
      expect(policies).not.toContain('dynamodb:PutItem');
      expect(policies).not.toContain('dynamodb:UpdateItem');
      expect(policies).toContain('s3:PutObject');
      expect(policies).not.toContain('s3:GetObject');
      expect(policies).toContain('"/in/*"');
    });
  });
});

describe('given a service function that needs sharp, with bundling skipped', () => {
  it('then it synthesizes without installing anything', () => {
    const projectRoot = makeProject();
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Sharp');
    new ServiceFunction(stack, 'Thumbs', { entry: 'src/hello.ts', needsSharp: true, projectRoot });
    Template.fromStack(stack).hasResource('AWS::Lambda::Function', {
      Metadata: Match.objectLike({ 'local:entry': 'src/hello.ts', 'local:handler': 'handler' }),
    });
  });
});
