import type { AuthMode } from '../contracts.js';
import { type FunctionSpec, type SkippedFunction, readFunctions } from './functions.js';
import { type CfnResource, type CfnTemplate, TemplateError, referencedLogicalId, resourcesOfType } from './template.js';

export type { FunctionCode, FunctionSpec, SkippedFunction } from './functions.js';

/**
 * The system as the synthesized CDK app describes it: the only source the local stack wires
 * itself from. Values that need local resolution (environment variables) stay raw here.
 */
export interface Topology {
  readonly functions: ReadonlyMap<string, FunctionSpec>;
  /** Functions the stack does not run, with the reason (functions.ts). */
  readonly skippedFunctions: readonly SkippedFunction[];
  readonly tables: readonly TableSpec[];
  readonly buckets: readonly BucketSpec[];
  readonly notifications: readonly BucketNotification[];
  /** Every GraphQL API, in template order: the first is served where a one-API app's is. */
  readonly apis: readonly [ApiSpec, ...ApiSpec[]];
  readonly userPools: readonly UserPoolSpec[];
  readonly roles: ReadonlyMap<string, RoleSpec>;
}

export interface TableSpec {
  readonly logicalId: string;
  /** CreateTable's parameters less the name, as the template states them. */
  readonly definition: {
    readonly KeySchema: unknown;
    readonly AttributeDefinitions: unknown;
    readonly GlobalSecondaryIndexes?: unknown;
    readonly LocalSecondaryIndexes?: unknown;
  };
  readonly timeToLiveAttribute: string | undefined;
}

export interface BucketSpec {
  readonly logicalId: string;
}

export interface BucketNotification {
  readonly bucketLogicalId: string;
  readonly events: readonly string[];
  readonly prefix: string | undefined;
  readonly suffix: string | undefined;
  readonly target: { readonly kind: 'lambda'; readonly functionLogicalId: string };
}

export interface DataSourceSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly type: string;
  readonly functionLogicalId: string | undefined;
  readonly tableLogicalId: string | undefined;
  /** The data source's properties as the template states them (HttpConfig, EventBridgeConfig, ...). */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** A VTL request/response mapping template pair (either may be absent: AppSync then passes through). */
export interface MappingTemplates {
  readonly request: string | undefined;
  readonly response: string | undefined;
}

export interface ResolverSpec {
  readonly typeName: string;
  readonly fieldName: string;
  readonly kind: 'UNIT' | 'PIPELINE';
  readonly dataSourceLogicalId: string | undefined;
  /** APPSYNC_JS code; absent for a VTL or direct Lambda resolver. */
  readonly code: string | undefined;
  /** VTL mapping templates (for a pipeline: its before and after templates); absent for APPSYNC_JS and direct Lambda. */
  readonly vtl?: MappingTemplates | undefined;
  readonly pipelineFunctionLogicalIds: readonly string[];
  readonly maxBatchSize: number;
  /** Code or templates the template builds with intrinsics (a table name joined in): resolved with the local values. */
  readonly unresolved?: UnresolvedTexts;
}

/** Resolver texts given as `Fn::Join`/`Fn::Sub` rather than strings, raw. */
export interface UnresolvedTexts {
  readonly code?: unknown;
  readonly request?: unknown;
  readonly response?: unknown;
}

export interface PipelineFunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly dataSourceLogicalId: string | undefined;
  /** APPSYNC_JS code, or else `vtl`. */
  readonly code: string | undefined;
  readonly vtl?: MappingTemplates | undefined;
  readonly unresolved?: UnresolvedTexts;
}

export interface ApiSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly schema: string;
  readonly defaultMode: AuthMode;
  readonly additionalModes: readonly AuthMode[];
  readonly userPoolLogicalId: string | undefined;
  /** `AppIdClientRegex` of that user pool's config (a string or an intrinsic): which app clients' tokens it takes; undefined is any. */
  readonly userPoolClientRegex: unknown;
  readonly apiKeys: readonly { readonly logicalId: string; readonly expires: number | undefined }[];
  readonly dataSources: ReadonlyMap<string, DataSourceSpec>;
  readonly resolvers: readonly ResolverSpec[];
  readonly pipelineFunctions: ReadonlyMap<string, PipelineFunctionSpec>;
  readonly queryDepthLimit: number;
  readonly resolverCountLimit: number;
  readonly introspection: boolean;
  /** `OpenIDConnectConfig` of the OPENID_CONNECT mode, when the API has one. */
  readonly oidc: OidcSpec | undefined;
  /** `LambdaAuthorizerConfig` of the AWS_LAMBDA mode, when the API has one. */
  readonly lambdaAuthorizer: LambdaAuthorizerSpec | undefined;
}

export interface OidcSpec {
  /** Raw template value: may be an intrinsic (resolve it with the local values). */
  readonly issuer: unknown;
  readonly clientId: unknown;
  /** Milliseconds, as the template states them; 0 means no limit. */
  readonly iatTtlMs: number;
  readonly authTtlMs: number;
}

export interface LambdaAuthorizerSpec {
  readonly functionLogicalId: string;
  readonly resultTtlSeconds: number;
  readonly identityValidationExpression: string | undefined;
}

export interface UserPoolSpec {
  readonly logicalId: string;
  readonly clientLogicalIds: readonly string[];
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

export interface RoleSpec {
  readonly logicalId: string;
  readonly statements: readonly PolicyStatement[];
}

const props = (resource: CfnResource): Record<string, unknown> => resource.Properties ?? {};

const asString = (value: unknown, what: string): string => {
  if (typeof value !== 'string') throw new TemplateError(`${what} is not a string`);
  return value;
};

function readTables(template: CfnTemplate): TableSpec[] {
  return resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId, resource]) => {
    const p = props(resource);
    const ttl = p['TimeToLiveSpecification'] as { AttributeName?: string; Enabled?: boolean } | undefined;
    return {
      logicalId,
      definition: {
        KeySchema: p['KeySchema'],
        AttributeDefinitions: p['AttributeDefinitions'],
        ...(p['GlobalSecondaryIndexes'] ? { GlobalSecondaryIndexes: p['GlobalSecondaryIndexes'] } : {}),
        ...(p['LocalSecondaryIndexes'] ? { LocalSecondaryIndexes: p['LocalSecondaryIndexes'] } : {}),
      },
      timeToLiveAttribute: ttl?.Enabled ? ttl.AttributeName : undefined,
    };
  });
}

function readNotifications(template: CfnTemplate): BucketNotification[] {
  const notifications: BucketNotification[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'Custom::S3BucketNotifications')) {
    const p = props(resource);
    const bucketLogicalId = referencedLogicalId(p['BucketName']);
    if (!bucketLogicalId) throw new TemplateError(`${logicalId}: BucketName is not a reference`);
    const config = (p['NotificationConfiguration'] ?? {}) as Record<string, unknown>;
    for (const lambda of (config['LambdaFunctionConfigurations'] ?? []) as Record<string, unknown>[]) {
      const functionLogicalId = referencedLogicalId(lambda['LambdaFunctionArn']);
      if (!functionLogicalId) throw new TemplateError(`${logicalId}: LambdaFunctionArn is not a reference`);
      const rules = ((lambda['Filter'] as { Key?: { FilterRules?: { Name: string; Value: string }[] } } | undefined)
        ?.Key?.FilterRules ?? []);
      const rule = (name: string) => rules.find((r) => r.Name.toLowerCase() === name)?.Value;
      notifications.push({
        bucketLogicalId,
        events: (lambda['Events'] ?? []) as string[],
        prefix: rule('prefix'),
        suffix: rule('suffix'),
        target: { kind: 'lambda', functionLogicalId },
      });
    }
  }
  return notifications;
}

const authMode = (value: unknown): AuthMode => asString(value, 'AuthenticationType') as AuthMode;

function readApis(template: CfnTemplate): [ApiSpec, ...ApiSpec[]] {
  const [first, ...others] = resourcesOfType(template, 'AWS::AppSync::GraphQLApi').map(([logicalId, resource]) => readApi(template, logicalId, resource));
  if (!first) throw new TemplateError('The CDK app defines no AppSync GraphQL API');
  return [first, ...others];
}

/** One API and what names it by `ApiId`: its schema, data sources, resolvers, functions and keys. */
function readApi(template: CfnTemplate, apiLogicalId: string, apiResource: CfnResource): ApiSpec {
  const p = props(apiResource);
  const belongs = (resource: CfnResource) => referencedLogicalId(props(resource)['ApiId']) === apiLogicalId;

  const schemas = resourcesOfType(template, 'AWS::AppSync::GraphQLSchema').filter(([, r]) => belongs(r));
  const schema = schemas[0]?.[1].Properties?.['Definition'];
  if (typeof schema !== 'string') {
    throw new TemplateError(`The GraphQL API ${apiLogicalId} has no schema the local stack can read (an inline Definition, or a DefinitionS3Location the CDK app stages)`);
  }

  const additional = (p['AdditionalAuthenticationProviders'] ?? []) as Record<string, unknown>[];
  const userPoolConfigs = [p['UserPoolConfig'], ...additional.map((a) => a['UserPoolConfig'])] as (Record<string, unknown> | undefined)[];
  const userPoolConfig = userPoolConfigs.find((c) => referencedLogicalId(c?.['UserPoolId']) !== undefined);
  const userPoolLogicalId = referencedLogicalId(userPoolConfig?.['UserPoolId']);
  const clientRegex = userPoolConfig?.['AppIdClientRegex'];

  const dataSources = new Map<string, DataSourceSpec>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::AppSync::DataSource')) {
    if (!belongs(resource)) continue;
    const d = props(resource);
    dataSources.set(logicalId, {
      logicalId,
      name: asString(d['Name'], `${logicalId}.Name`),
      type: asString(d['Type'], `${logicalId}.Type`),
      functionLogicalId: referencedLogicalId((d['LambdaConfig'] as Record<string, unknown> | undefined)?.['LambdaFunctionArn']),
      tableLogicalId: referencedLogicalId((d['DynamoDBConfig'] as Record<string, unknown> | undefined)?.['TableName']),
      properties: d,
    });
  }

  // CDK names a data source by its Name (a plain string) or by a reference; both lead here.
  const byName = new Map([...dataSources.values()].map((d) => [d.name, d.logicalId]));
  const dataSourceOf = (value: unknown): string | undefined =>
    typeof value === 'string' ? byName.get(value) : referencedLogicalId(value);

  // S3 locations of the CDK app's assets were inlined when the assembly was read (assembly.ts).
  const codeOf = (resource: CfnResource): string | undefined => {
    const r = props(resource);
    return typeof r['Code'] === 'string' ? r['Code'] : undefined;
  };
  const vtlOf = (resource: CfnResource): MappingTemplates | undefined => {
    const r = props(resource);
    const text = (key: string) => (typeof r[key] === 'string' ? r[key] : undefined);
    const request = text('RequestMappingTemplate');
    const response = text('ResponseMappingTemplate');
    return request === undefined && response === undefined ? undefined : { request, response };
  };
  const unresolvedOf = (resource: CfnResource): { unresolved?: UnresolvedTexts } => {
    const r = props(resource);
    const raw = (key: string) => (r[key] !== null && typeof r[key] === 'object' ? { [key]: r[key] } : {});
    const found = { ...raw('Code'), ...raw('RequestMappingTemplate'), ...raw('ResponseMappingTemplate') };
    if (Object.keys(found).length === 0) return {};
    return { unresolved: { code: found['Code'], request: found['RequestMappingTemplate'], response: found['ResponseMappingTemplate'] } };
  };

  const pipelineFunctions = new Map<string, PipelineFunctionSpec>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::AppSync::FunctionConfiguration')) {
    if (!belongs(resource)) continue;
    const code = codeOf(resource);
    const vtl = vtlOf(resource);
    pipelineFunctions.set(logicalId, {
      logicalId,
      name: String(props(resource)['Name']),
      dataSourceLogicalId: dataSourceOf(props(resource)['DataSourceName']),
      code,
      vtl: code === undefined ? (vtl ?? { request: undefined, response: undefined }) : undefined,
      ...unresolvedOf(resource),
    });
  }

  const resolvers: ResolverSpec[] = resourcesOfType(template, 'AWS::AppSync::Resolver')
    .filter(([, r]) => belongs(r))
    .map(([logicalId, resource]) => {
      const r = props(resource);
      const code = codeOf(resource);
      const pipeline = (r['PipelineConfig'] as { Functions?: unknown[] } | undefined)?.Functions ?? [];
      return {
        typeName: asString(r['TypeName'], `${logicalId}.TypeName`),
        fieldName: asString(r['FieldName'], `${logicalId}.FieldName`),
        kind: r['Kind'] === 'PIPELINE' ? 'PIPELINE' : 'UNIT',
        dataSourceLogicalId: dataSourceOf(r['DataSourceName']),
        code,
        vtl: code === undefined ? vtlOf(resource) : undefined,
        pipelineFunctionLogicalIds: pipeline.map((f) => referencedLogicalId(f) ?? String(f)),
        maxBatchSize: Number(r['MaxBatchSize'] ?? 0),
        ...unresolvedOf(resource),
      };
    });

  const apiKeys = resourcesOfType(template, 'AWS::AppSync::ApiKey')
    .filter(([, r]) => belongs(r))
    .map(([logicalId, resource]) => ({
      logicalId,
      expires: typeof props(resource)['Expires'] === 'number' ? (props(resource)['Expires'] as number) : undefined,
    }));

  const providers = [p, ...additional];
  const oidcConfig = providers.map((c) => c['OpenIDConnectConfig'] as Record<string, unknown> | undefined).find(Boolean);
  const lambdaConfig = providers.map((c) => c['LambdaAuthorizerConfig'] as Record<string, unknown> | undefined).find(Boolean);
  let lambdaAuthorizer: LambdaAuthorizerSpec | undefined;
  if (lambdaConfig) {
    const functionLogicalId = referencedLogicalId(lambdaConfig['AuthorizerUri']);
    if (!functionLogicalId) throw new TemplateError('LambdaAuthorizerConfig.AuthorizerUri must reference a function of the template');
    lambdaAuthorizer = {
      functionLogicalId,
      resultTtlSeconds: Number(lambdaConfig['AuthorizerResultTtlInSeconds'] ?? 300),
      identityValidationExpression:
        typeof lambdaConfig['IdentityValidationExpression'] === 'string' ? lambdaConfig['IdentityValidationExpression'] : undefined,
    };
  }

  return {
    logicalId: apiLogicalId,
    name: String(p['Name'] ?? apiLogicalId),
    schema,
    defaultMode: authMode(p['AuthenticationType']),
    additionalModes: additional.map((a) => authMode(a['AuthenticationType'])),
    userPoolLogicalId,
    userPoolClientRegex: clientRegex === '' ? undefined : clientRegex,
    apiKeys,
    dataSources,
    resolvers,
    pipelineFunctions,
    queryDepthLimit: Number(p['QueryDepthLimit'] ?? 0),
    resolverCountLimit: Number(p['ResolverCountLimit'] ?? 0),
    introspection: p['IntrospectionConfig'] !== 'DISABLED',
    oidc: oidcConfig
      ? {
          issuer: oidcConfig['Issuer'],
          clientId: oidcConfig['ClientId'],
          iatTtlMs: Number(oidcConfig['IatTTL'] ?? 0),
          authTtlMs: Number(oidcConfig['AuthTTL'] ?? 0),
        }
      : undefined,
    lambdaAuthorizer,
  };
}

function readRoles(template: CfnTemplate): Map<string, RoleSpec> {
  const statements = new Map<string, PolicyStatement[]>();
  const add = (roleLogicalId: string | undefined, document: unknown) => {
    if (!roleLogicalId) return;
    const list = statements.get(roleLogicalId) ?? [];
    const raw = (document as { Statement?: unknown } | undefined)?.Statement;
    list.push(...((Array.isArray(raw) ? raw : raw ? [raw] : []) as PolicyStatement[]));
    statements.set(roleLogicalId, list);
  };
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::IAM::Role')) {
    statements.set(logicalId, statements.get(logicalId) ?? []);
    for (const policy of (props(resource)['Policies'] ?? []) as { PolicyDocument: unknown }[]) {
      add(logicalId, policy.PolicyDocument);
    }
  }
  for (const [, resource] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    for (const role of (props(resource)['Roles'] ?? []) as unknown[]) {
      add(referencedLogicalId(role), props(resource)['PolicyDocument']);
    }
  }
  return new Map([...statements].map(([logicalId, list]) => [logicalId, { logicalId, statements: list }]));
}

function readUserPools(template: CfnTemplate): UserPoolSpec[] {
  const clients = resourcesOfType(template, 'AWS::Cognito::UserPoolClient');
  return resourcesOfType(template, 'AWS::Cognito::UserPool').map(([logicalId]) => ({
    logicalId,
    clientLogicalIds: clients
      .filter(([, client]) => referencedLogicalId(props(client)['UserPoolId']) === logicalId)
      .map(([clientId]) => clientId),
  }));
}

export function readTopology(template: CfnTemplate): Topology {
  const { functions, skipped } = readFunctions(template);
  return {
    functions,
    skippedFunctions: skipped,
    tables: readTables(template),
    buckets: resourcesOfType(template, 'AWS::S3::Bucket').map(([logicalId]) => ({ logicalId })),
    notifications: readNotifications(template),
    apis: readApis(template),
    userPools: readUserPools(template),
    roles: readRoles(template),
  };
}
