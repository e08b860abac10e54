import { type CfnResource, type CfnTemplate, referencedLogicalId, resourcesOfType } from './template.js';

/**
 * The template's Lambda functions, found as aws-cdk-lib's own constructs leave them: what a
 * `NodejsFunction` or a `lambda.Function` with `Code.fromAsset` or `Code.fromInline` puts in the
 * template and the cloud assembly, on a Node.js runtime. Nothing project-specific is needed:
 * - `Code.ZipFile` (`Code.fromInline`): the code itself;
 * - `Code.S3Key` naming a staged asset (`local:asset`, set by assembly.ts): the folder as
 *   staged, NodejsFunction's bundle included, its `Handler` (`index.handler`) naming the module;
 * - a `local:entry` hint (this project's `ServiceFunction` sets it; optional): the TypeScript
 *   source the bundle is built from. The local stack then bundles the source itself and reloads
 *   it on edit, which it cannot do from a bundle, and a synthesis may skip bundling.
 * Functions it cannot run are listed with the reason: other runtimes, container images, and the
 * deploy-time handlers of custom resources (they manage AWS resources, nothing to do locally).
 */

export type FunctionCode =
  /** A source entry, relative to the project (the `local:entry` hint): bundled locally, reloaded on edit. */
  | { readonly kind: 'source'; readonly entry: string }
  /**
   * A staged asset folder; `module` is the handler's module path within it (`index`, `src/app`);
   * `layers` the staged folders of its layers of the template (their `nodejs/node_modules` are
   * what Lambda puts on the module path).
   */
  | { readonly kind: 'asset'; readonly dir: string; readonly module: string; readonly layers?: readonly string[] }
  /** `Code.fromInline`: Lambda writes it as `index.js`. */
  | { readonly kind: 'inline'; readonly code: string };

export interface FunctionSpec {
  readonly logicalId: string;
  /** Names the function's code in messages and thread names: the source entry, the asset's handler module or `index.js`. */
  readonly entry: string;
  readonly code: FunctionCode;
  readonly handlerName: string;
  /** The template's `Runtime`, e.g. `nodejs22.x`; undefined when it states none. */
  readonly runtime: string | undefined;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, unknown>>;
  readonly roleLogicalId: string | undefined;
}

export interface SkippedFunction {
  readonly logicalId: string;
  readonly runtime: string | undefined;
  readonly reason: string;
  /** A custom resource's handler: runs at deploy time only, nothing calls it locally. */
  readonly deployTime: boolean;
}

const isNodeRuntime = (runtime: string | undefined) => runtime === undefined || /^nodejs\d+\.x$/.test(runtime);

/** The function `ServiceToken`s point at (custom resources), and the functions those call (the provider framework's user handlers). */
function deployTimeFunctions(template: CfnTemplate): Set<string> {
  const found = new Set<string>();
  for (const resource of Object.values(template.Resources)) {
    const token = referencedLogicalId(resource.Properties?.['ServiceToken']);
    if (token) found.add(token);
  }
  for (const id of [...found]) {
    const variables = (template.Resources[id]?.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    for (const value of Object.values(variables ?? {})) {
      const target = referencedLogicalId(value);
      if (target && template.Resources[target]?.Type === 'AWS::Lambda::Function') found.add(target);
    }
  }
  return found;
}

/** `index.handler` -> module `index`, export `handler`; `src/app.main` -> `src/app`, `main`. */
export function splitHandler(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return dot < 0 ? { module: 'index', exportName: handler } : { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

function codeOf(resource: CfnResource, template: CfnTemplate): { code: FunctionCode; entry: string; handlerName: string } | string {
  const properties = resource.Properties ?? {};
  const hint = resource.Metadata?.['local:entry'];
  const handler = typeof properties['Handler'] === 'string' ? properties['Handler'] : 'index.handler';
  const { module, exportName } = splitHandler(handler);
  if (typeof hint === 'string') {
    const hinted = resource.Metadata?.['local:handler'];
    return { code: { kind: 'source', entry: hint }, entry: hint, handlerName: typeof hinted === 'string' ? hinted : exportName };
  }
  const code = (properties['Code'] ?? {}) as Record<string, unknown>;
  if (typeof code['ZipFile'] === 'string') return { code: { kind: 'inline', code: code['ZipFile'] }, entry: 'index.js', handlerName: exportName };
  const asset = resource.Metadata?.['local:asset'];
  if (typeof asset === 'string') {
    const layers = ((properties['Layers'] ?? []) as unknown[])
      .map((layer) => referencedLogicalId(layer))
      .map((id) => (id ? template.Resources[id]?.Metadata?.['local:asset'] : undefined))
      .filter((dir): dir is string => typeof dir === 'string');
    return { code: { kind: 'asset', dir: asset, module, ...(layers.length > 0 ? { layers } : {}) }, entry: module, handlerName: exportName };
  }
  if (code['S3Key'] !== undefined) return 'its code is in an S3 object the CDK app does not stage (Code.fromBucket)';
  return 'it has no code the local stack can read';
}

export function readFunctions(template: CfnTemplate): { functions: Map<string, FunctionSpec>; skipped: SkippedFunction[] } {
  const functions = new Map<string, FunctionSpec>();
  const skipped: SkippedFunction[] = [];
  const deployTime = deployTimeFunctions(template);
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const properties = resource.Properties ?? {};
    const runtime = typeof properties['Runtime'] === 'string' ? properties['Runtime'] : undefined;
    const skip = (reason: string, isDeployTime = false) => skipped.push({ logicalId, runtime, reason, deployTime: isDeployTime });
    if (deployTime.has(logicalId)) {
      skip('a custom resource handler: it runs while CloudFormation deploys, and the local stack deploys nothing', true);
      continue;
    }
    if (properties['PackageType'] === 'Image' || (properties['Code'] as Record<string, unknown> | undefined)?.['ImageUri'] !== undefined) {
      skip('a container image: the local stack runs Node.js functions only');
      continue;
    }
    if (!isNodeRuntime(runtime)) {
      skip(`runtime ${runtime}: the local stack runs Node.js functions only`);
      continue;
    }
    const found = codeOf(resource, template);
    if (typeof found === 'string') {
      skip(found);
      continue;
    }
    const environment = (properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    functions.set(logicalId, {
      logicalId,
      ...found,
      runtime,
      timeoutSeconds: Number(properties['Timeout'] ?? 3),
      memoryMb: Number(properties['MemorySize'] ?? 128),
      environment: environment ?? {},
      roleLogicalId: referencedLogicalId(properties['Role']),
    });
  }
  return { functions, skipped };
}
