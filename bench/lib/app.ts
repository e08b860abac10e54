/**
 * The system under test as the CDK app describes it: the bench reads the synthesized template,
 * like the local stack does, to learn which function resolves `Query.uploadPolicy` and which
 * functions exist, instead of keeping a second list.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { synthesize } from '../../local/cdk/synth.js';
import { type CfnTemplate, type LocalValues, resolveIntrinsics } from '../../local/cdk/template.js';
import { type FunctionSpec, type Topology, readTopology } from '../../local/cdk/topology.js';
import { LOCAL_BUNDLE_OPTIONS } from '../../local/lambda/local-function.js';
import { CACHE_DIR, PROJECT_DIR } from './paths.js';

export interface App {
  readonly template: CfnTemplate;
  readonly templateDir: string;
  readonly topology: Topology;
}

let synthesized: Promise<App> | undefined;

/** Synthesizes the CDK app once per bench run (bundling skipped, as for the local stack). */
export function app(): Promise<App> {
  synthesized ??= (async () => {
    const templateDir = join(CACHE_DIR, 'cdk.out');
    const template = await synthesize({ projectDir: PROJECT_DIR, outDir: templateDir });
    return { template, templateDir, topology: readTopology(template) };
  })();
  return synthesized;
}

/** The function behind a direct Lambda resolver of `typeName.fieldName`. */
export function functionForField(topology: Topology, typeName: string, fieldName: string): FunctionSpec {
  const [api] = topology.apis;
  const resolver = api.resolvers.find((r) => r.typeName === typeName && r.fieldName === fieldName);
  const dataSource = resolver?.dataSourceLogicalId ? api.dataSources.get(resolver.dataSourceLogicalId) : undefined;
  const fn = dataSource?.functionLogicalId ? topology.functions.get(dataSource.functionLogicalId) : undefined;
  if (!fn) throw new Error(`${typeName}.${fieldName} is not resolved by a Lambda function in the template`);
  return fn;
}

/** Placeholder values for intrinsics: in-process targets never reach AWS or the local services. */
const placeholders: LocalValues = {
  region: 'us-east-1',
  accountId: '123456789012',
  ref: (logicalId) => `bench-${logicalId}`,
  getAtt: (logicalId, attribute) => `bench-${logicalId}-${attribute}`,
};

/** A function's template environment with placeholders, plus what Lambda's runtime sets. */
export function inProcessEnvironment(fn: FunctionSpec): Record<string, string> {
  const declared = resolveIntrinsics(fn.environment, placeholders) as Record<string, unknown>;
  const env: Record<string, string> = Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, String(v)]));
  // The template enables source maps for stack traces; in one process they would apply to the host.
  delete env['NODE_OPTIONS'];
  return {
    ...env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
  };
}

/**
 * The function's entry bundled the way the local stack bundles it (ESM, packages external), in
 * the bench cache so its packages resolve from the project's node_modules.
 */
export async function bundleForInProcess(fn: FunctionSpec): Promise<string> {
  const dir = join(CACHE_DIR, 'handlers');
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, `${fn.logicalId}.mjs`);
  await build({ ...LOCAL_BUNDLE_OPTIONS, entryPoints: [join(PROJECT_DIR, fn.entry)], outfile });
  return outfile;
}

/** What the handler of an in-process target needs to know: the bundle, its export and env. */
export interface InProcessHandler {
  readonly bundlePath: string;
  readonly handlerName: string;
  readonly functionName: string;
  readonly environment: Readonly<Record<string, string>>;
}

export async function uploadPolicyHandler(): Promise<InProcessHandler> {
  const { topology } = await app();
  const fn = functionForField(topology, 'Query', 'uploadPolicy');
  return {
    bundlePath: await bundleForInProcess(fn),
    handlerName: fn.handlerName,
    functionName: fn.logicalId,
    environment: inProcessEnvironment(fn),
  };
}
