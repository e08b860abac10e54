/**
 * The cloud assembly a synthesis writes (`cdk.out`): its stacks' templates and the files its
 * asset manifests publish. The local stack reads code that CloudFormation would fetch from the
 * CDK assets bucket (a Lambda function's `Code.S3Key`, an AppSync resolver's `CodeS3Location`,
 * a mapping template's or schema's S3 location) from the staged asset instead, and records it in
 * the template it hands on:
 * - a Lambda function's asset folder (or file) as its `local:asset` metadata;
 * - resolver code, mapping templates and schema text inlined into the property CloudFormation
 *   would have read them into (`Code`, `RequestMappingTemplate`, `ResponseMappingTemplate`,
 *   `Definition`).
 * Every stack of the assembly (nested stages included) is merged into one template.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CfnResource, CfnTemplate } from './template.js';

export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
}

interface Artifact {
  readonly type: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly file?: string; readonly directoryName?: string };
}

interface AssetManifest {
  readonly files?: Record<string, { readonly source?: { readonly path?: string }; readonly destinations?: Record<string, { readonly objectKey?: string }> }>;
}

interface Collected {
  readonly stacks: { readonly name: string; readonly template: CfnTemplate }[];
  /** Asset object key (`<hash>.zip`, `<hash>.js`) -> the staged file or folder, absolute. */
  readonly assets: Map<string, string>;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

async function collect(dir: string, into: Collected): Promise<void> {
  const manifest = await readJson<{ artifacts?: Record<string, Artifact> }>(join(dir, 'manifest.json'));
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const p = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && p.templateFile) {
      into.stacks.push({ name: artifact.displayName ?? id, template: await readJson<CfnTemplate>(join(dir, p.templateFile)) });
    } else if (artifact.type === 'cdk:asset-manifest' && p.file) {
      const assets = await readJson<AssetManifest>(join(dir, p.file));
      for (const file of Object.values(assets.files ?? {})) {
        if (!file.source?.path) continue;
        for (const destination of Object.values(file.destinations ?? {})) {
          if (destination.objectKey) into.assets.set(destination.objectKey, resolve(dir, file.source.path));
        }
      }
    } else if (artifact.type === 'cdk:cloud-assembly' && p.directoryName) {
      await collect(join(dir, p.directoryName), into);
    }
  }
}

/** The asset an S3 location (`s3://bucket/<key>`, an `Fn::Sub`/`Fn::Join` of it, or a bare key) names. */
export function assetOf(location: unknown, assets: ReadonlyMap<string, string>): string | undefined {
  const text = JSON.stringify(location ?? null);
  for (const [key, path] of assets) {
    if (text.includes(`/${key}"`) || text.includes(`"${key}"`)) return path;
  }
  return undefined;
}

/** Property holding an S3 location -> the property CloudFormation reads its text into. */
const INLINED: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  'AWS::AppSync::Resolver': [
    ['CodeS3Location', 'Code'],
    ['RequestMappingTemplateS3Location', 'RequestMappingTemplate'],
    ['ResponseMappingTemplateS3Location', 'ResponseMappingTemplate'],
  ],
  'AWS::AppSync::FunctionConfiguration': [
    ['CodeS3Location', 'Code'],
    ['RequestMappingTemplateS3Location', 'RequestMappingTemplate'],
    ['ResponseMappingTemplateS3Location', 'ResponseMappingTemplate'],
  ],
  'AWS::AppSync::GraphQLSchema': [['DefinitionS3Location', 'Definition']],
};

async function resolveAssets(logicalId: string, resource: CfnResource, assets: ReadonlyMap<string, string>): Promise<CfnResource> {
  const properties = { ...(resource.Properties ?? {}) };
  if (resource.Type === 'AWS::Lambda::Function' || resource.Type === 'AWS::Lambda::LayerVersion') {
    const code = properties[resource.Type === 'AWS::Lambda::Function' ? 'Code' : 'Content'] as Record<string, unknown> | undefined;
    const asset = code?.['S3Key'] === undefined ? undefined : assetOf(code['S3Key'], assets);
    return asset ? { ...resource, Metadata: { ...resource.Metadata, 'local:asset': asset } } : resource;
  }
  for (const [from, to] of INLINED[resource.Type] ?? []) {
    if (properties[from] === undefined) continue;
    const asset = assetOf(properties[from], assets);
    if (!asset) {
      throw new AssemblyError(`${logicalId}.${from} names no asset of the cloud assembly; the local stack reads only what the CDK app stages`);
    }
    properties[to] = await readFile(asset, 'utf8');
    delete properties[from];
  }
  return { ...resource, Properties: properties };
}

/**
 * Every stack of the cloud assembly in `outDir` as one template, with its assets resolved. A
 * folder without manifest.json (an assembly from before the manifest) is read as its
 * `*.template.json` files.
 */
export async function readAssembly(outDir: string): Promise<CfnTemplate> {
  const collected: Collected = { stacks: [], assets: new Map() };
  try {
    await collect(outDir, collected);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    for (const name of (await readdir(outDir)).filter((n) => n.endsWith('.template.json'))) {
      collected.stacks.push({ name, template: await readJson<CfnTemplate>(join(outDir, name)) });
    }
  }
  if (collected.stacks.length === 0) throw new AssemblyError(`No stack template in ${outDir}`);
  const resources: Record<string, CfnResource> = {};
  const outputs: Record<string, { Value: unknown; Description?: string }> = {};
  const owner = new Map<string, string>();
  for (const stack of collected.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const other = owner.get(logicalId);
      if (other !== undefined) {
        throw new AssemblyError(`Stacks ${other} and ${stack.name} both define ${logicalId}; the local stack runs their resources side by side and needs distinct logical ids`);
      }
      owner.set(logicalId, stack.name);
      resources[logicalId] = await resolveAssets(logicalId, resource, collected.assets);
    }
    Object.assign(outputs, stack.template.Outputs ?? {});
  }
  await inlineNestedStacks(resources, collected.assets);
  // Cross-stack references: an `Fn::ImportValue` of another stack's export is that output's
  // value, which names resources of the merged template.
  const exports = new Map<string, unknown>();
  for (const stack of collected.stacks) {
    for (const output of Object.values(stack.template.Outputs ?? {}) as { Value: unknown; Export?: { Name?: unknown } }[]) {
      if (typeof output.Export?.Name === 'string') exports.set(output.Export.Name, output.Value);
    }
  }
  const merged = exports.size === 0 ? resources : (withImports(resources, exports) as Record<string, CfnResource>);
  // The template's other sections (Metadata, Parameters, ...) as the first stack states them.
  return { ...collected.stacks[0]?.template, Resources: merged, Outputs: outputs };
}

function withImports(value: unknown, exports: ReadonlyMap<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => withImports(item, exports));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const name = record['Fn::ImportValue'];
  if (typeof name === 'string' && Object.keys(record).length === 1 && exports.has(name)) return exports.get(name);
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, withImports(item, exports)]));
}

/** `{Ref: name}` of `params` replaced by their values, `Fn::GetAtt [stack, Outputs.X]` by the output's value. */
function substitute(value: unknown, replace: (record: Record<string, unknown>) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, replace));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const replaced = replace(record);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, substitute(item, replace)]));
}

/**
 * NestedStacks (`AWS::CloudFormation::Stack` whose template is an asset of the assembly) merged
 * into their parent: the nested template's parameters take the values the parent passes, and the
 * parent's `Fn::GetAtt [nested, Outputs.X]` the nested output's value.
 */
async function inlineNestedStacks(resources: Record<string, CfnResource>, assets: ReadonlyMap<string, string>): Promise<void> {
  for (let round = 0; round < 10; round += 1) {
    const nested = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::CloudFormation::Stack' && assetOf(r.Properties?.['TemplateURL'], assets) !== undefined,
    );
    if (nested.length === 0) return;
    for (const [stackId, stack] of nested) {
      const file = assetOf(stack.Properties?.['TemplateURL'], assets) ?? '';
      const template = await readJson<CfnTemplate & { Parameters?: Record<string, unknown> }>(file);
      const passed = (stack.Properties?.['Parameters'] ?? {}) as Record<string, unknown>;
      const params = new Set(Object.keys(template.Parameters ?? {}));
      const inner = substitute(template.Resources, (r) => {
        const ref = r['Ref'];
        return typeof ref === 'string' && Object.keys(r).length === 1 && params.has(ref) ? passed[ref] : undefined;
      }) as Record<string, CfnResource>;
      const outputs = substitute(template.Outputs ?? {}, (r) => {
        const ref = r['Ref'];
        return typeof ref === 'string' && Object.keys(r).length === 1 && params.has(ref) ? passed[ref] : undefined;
      }) as Record<string, { Value: unknown }>;
      delete resources[stackId];
      for (const [id, resource] of Object.entries(inner)) {
        if (resources[id]) throw new AssemblyError(`The nested stack ${stackId} and its parent both define ${id}`);
        resources[id] = await resolveAssets(id, resource, assets);
      }
      const outputOf = (r: Record<string, unknown>) => {
        const getAtt = r['Fn::GetAtt'];
        if (!Array.isArray(getAtt) || getAtt[0] !== stackId || typeof getAtt[1] !== 'string' || !getAtt[1].startsWith('Outputs.')) return undefined;
        return outputs[getAtt[1].slice('Outputs.'.length)]?.Value;
      };
      for (const [id, resource] of Object.entries(resources)) resources[id] = substitute(resource, outputOf) as CfnResource;
    }
  }
}
