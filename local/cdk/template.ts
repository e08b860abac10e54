/**
 * A CloudFormation template as the CDK app synthesizes it, and the intrinsic functions the local
 * stack resolves to local values (table names, the local GraphQL URL, ...).
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** What a `Ref` or `Fn::GetAtt` of a logical id means locally. */
export interface LocalValues {
  readonly region: string;
  readonly accountId: string;
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

const pseudo = (name: string, values: LocalValues): string => {
  switch (name) {
    case 'AWS::Region':
      return values.region;
    case 'AWS::AccountId':
      return values.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return 'local';
    case 'AWS::NoValue':
      return '';
    default:
      throw new TemplateError(`Unsupported pseudo parameter ${name}`);
  }
};

/** Resolves the intrinsic functions CDK emits for wiring: Ref, GetAtt, Join, Select, Split, Sub. */
export function resolveIntrinsics(value: unknown, values: LocalValues): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, values));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    const [key, arg] = only;
    switch (key) {
      case 'Ref': {
        const name = String(arg);
        return name.startsWith('AWS::') ? pseudo(name, values) : values.ref(name);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return values.getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, values) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        return (resolveIntrinsics(list, values) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(resolveIntrinsics(source, values)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
          if (name in variables) return String(resolveIntrinsics(variables[name], values));
          if (name.startsWith('AWS::')) return pseudo(name, values);
          const [logicalId, attribute] = name.split('.');
          return attribute === undefined ? values.ref(name) : values.getAtt(String(logicalId), attribute);
        });
      }
      default:
        if (key.startsWith('Fn::')) throw new TemplateError(`Unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, values)]));
}

/** The logical id a `Ref`/`Fn::GetAtt` points at, without resolving it. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['Ref'] === 'string') return record['Ref'];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
