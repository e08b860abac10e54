import { createHmac } from 'node:crypto';
import type { Caller } from './contracts.js';
import { isAllowed } from './cdk/iam-policy.js';
import { type LocalValues, resolveIntrinsics, type CfnTemplate } from './cdk/template.js';
import type { Topology } from './cdk/topology.js';
import { messagingValue } from './messaging/names.js';
import { stateMachineArn, stateMachineNameOf } from './stepfunctions/names.js';
import { tableNameOf } from './cdk/table-names.js';

/**
 * What the template's resources are called locally, and the credentials that stand in for
 * AWS's: derived from a random seed kept in the state folder, so they stay stable across
 * restarts (tokens and keys a developer copied keep working) and differ between checkouts.
 */

export const ACCOUNT_ID = '123456789012';

/** Where one GraphQL API is served (local/apis.ts). */
export interface ApiEndpoint {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
}

export interface Endpoints {
  /** Each GraphQL API's URLs, by its logical id. */
  readonly apis: ReadonlyMap<string, ApiEndpoint>;
  readonly s3: string;
  readonly dynamodb: string;
  /** The local SQS and SNS APIs (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_SNS). */
  readonly messaging?: string;
  /** The local Step Functions API (AWS_ENDPOINT_URL_SFN). */
  readonly stepFunctions: string;
}

export interface IamPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly identity: { readonly accountId: string; readonly userArn: string; readonly username: string };
  /** The role whose policy authorizes this principal. The local developer has full access. */
  readonly roleLogicalId: string | undefined;
}

export interface LocalNames {
  readonly region: string;
  /** Each GraphQL API's id, by its logical id. */
  readonly apiIds: ReadonlyMap<string, string>;
  /** The first user pool's id and its first client's (what `npm run token` and the client config use). */
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** Every user pool's id and every pool client's id, by logical id (the first ones as above). */
  readonly userPoolIds: ReadonlyMap<string, string>;
  readonly userPoolClientIds: ReadonlyMap<string, string>;
  readonly apiKeys: ReadonlyMap<string, string>;
  readonly bucketName: (logicalId: string) => string;
  readonly functionPrincipals: ReadonlyMap<string, IamPrincipal>;
  readonly developer: IamPrincipal;
}

/** The seed the names and credentials below derive from (local/seed.ts). */
export { loadSeed } from './seed.js';

const derive = (seed: string, purpose: string) => createHmac('sha256', seed).update(purpose).digest();
const alnum = (bytes: Buffer, length: number, upper = false) => {
  const alphabet = upper ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567' : 'abcdefghijklmnopqrstuvwxyz234567';
  return [...bytes].map((b) => alphabet[b % 32]).join('').slice(0, length);
};

export function localNames(topology: Topology, seed: string, region: string): LocalNames {
  const pool = topology.userPools[0];
  const userPoolId = `${region}_${alnum(derive(seed, `pool:${pool?.logicalId ?? ''}`), 9, true)}`;
  const userPoolClientId = alnum(derive(seed, `client:${pool?.clientLogicalIds[0] ?? ''}`), 26);
  // Further pools and clients keep the ids local Cognito gave them before it took them from here,
  // so users signed up in a state folder are still found.
  const userPoolIds = new Map(
    topology.userPools.map((p, i) => [p.logicalId, i === 0 ? userPoolId : `${region}_${derive(seed, `pool:${p.logicalId}`).toString('hex').slice(0, 9).toUpperCase()}`]),
  );
  const userPoolClientIds = new Map(
    topology.userPools.flatMap((p, i) =>
      p.clientLogicalIds.map((c, j) => [c, i === 0 && j === 0 ? userPoolClientId : derive(seed, `client:${c}`).toString('hex').slice(0, 26)] as const),
    ),
  );
  const apiKeys = new Map(
    topology.apis.flatMap((api) => api.apiKeys).map((k) => [k.logicalId, `da2-${alnum(derive(seed, `apikey:${k.logicalId}`), 26)}`]),
  );
  const principal = (name: string, roleLogicalId: string | undefined, arn: string, username: string): IamPrincipal => ({
    accessKeyId: `ASIA${alnum(derive(seed, `ak:${name}`), 16, true)}`,
    secretAccessKey: derive(seed, `sk:${name}`).toString('base64').slice(0, 40),
    identity: { accountId: ACCOUNT_ID, userArn: arn, username },
    roleLogicalId,
  });
  const functionPrincipals = new Map(
    [...topology.functions.values()].map((fn) => {
      const role = fn.roleLogicalId ?? 'NoRole';
      const roleId = `AROA${alnum(derive(seed, `role:${role}`), 17, true)}`;
      return [
        fn.logicalId,
        principal(fn.logicalId, fn.roleLogicalId, `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/${fn.logicalId}`, `${roleId}:${fn.logicalId}`),
      ];
    }),
  );
  return {
    region,
    apiIds: new Map(topology.apis.map((api) => [api.logicalId, alnum(derive(seed, `api:${api.logicalId}`), 26)])),
    userPoolId,
    userPoolClientId,
    userPoolIds,
    userPoolClientIds,
    apiKeys,
    bucketName: (logicalId) => `local-${logicalId.toLowerCase()}`.slice(0, 63),
    functionPrincipals,
    developer: principal('developer', undefined, `arn:aws:iam::${ACCOUNT_ID}:user/local-developer`, `AIDA${alnum(derive(seed, 'developer'), 17, true)}`),
  };
}

/** The ARN IAM policies name a GraphQL API by. */
export const apiArn = (names: LocalNames, apiLogicalId: string): string =>
  `arn:aws:appsync:${names.region}:${ACCOUNT_ID}:apis/${names.apiIds.get(apiLogicalId) ?? apiLogicalId}`;

/** `Ref` and `Fn::GetAtt` of the template's resources, as the local stack names them. */
export function localValues(template: CfnTemplate, names: LocalNames, endpoints: Endpoints): LocalValues {
  const typeOf = (logicalId: string) => template.Resources[logicalId]?.Type ?? '';
  const { region } = names;
  const endpointOf = (apiLogicalId: string): ApiEndpoint => endpoints.apis.get(apiLogicalId) ?? { graphqlUrl: '', realtimeUrl: '' };
  const hostOf = (url: string) => (url === '' ? '' : new URL(url).host);
  return {
    region,
    accountId: ACCOUNT_ID,
    ref: (logicalId) => {
      const message = messagingValue(template, region, endpoints.messaging ?? '', logicalId, 'Ref');
      if (message !== undefined) return message;
      switch (typeOf(logicalId)) {
        case 'AWS::S3::Bucket':
          return names.bucketName(logicalId);
        case 'AWS::Cognito::UserPool':
          return names.userPoolIds.get(logicalId) ?? names.userPoolId;
        case 'AWS::Cognito::UserPoolClient':
          return names.userPoolClientIds.get(logicalId) ?? names.userPoolClientId;
        case 'AWS::AppSync::GraphQLApi':
          return apiArn(names, logicalId);
        case 'AWS::AppSync::ApiKey':
          return names.apiKeys.get(logicalId) ?? logicalId;
        case 'AWS::StepFunctions::StateMachine':
          return stateMachineArn(region, ACCOUNT_ID, stateMachineNameOf(template, logicalId));
        case 'AWS::DynamoDB::Table':
          return tableNameOf(template, logicalId);
        default:
          return logicalId;
      }
    },
    getAtt: (logicalId, attribute) => {
      const message = messagingValue(template, region, endpoints.messaging ?? '', logicalId, attribute);
      if (message !== undefined) return message;
      const type = typeOf(logicalId);
      switch (`${type}.${attribute}`) {
        case 'AWS::AppSync::GraphQLApi.GraphQLUrl':
          return endpointOf(logicalId).graphqlUrl;
        case 'AWS::AppSync::GraphQLApi.RealtimeUrl':
          return endpointOf(logicalId).realtimeUrl;
        // The APIs share the main port's host: their paths tell them apart.
        case 'AWS::AppSync::GraphQLApi.GraphQLDns':
        case 'AWS::AppSync::GraphQLApi.RealtimeDns':
          return hostOf(endpointOf(logicalId).graphqlUrl);
        case 'AWS::AppSync::GraphQLApi.ApiId':
          return names.apiIds.get(logicalId) ?? logicalId;
        case 'AWS::AppSync::GraphQLApi.Arn':
          return apiArn(names, logicalId);
        case 'AWS::AppSync::ApiKey.ApiKey':
          return names.apiKeys.get(logicalId) ?? logicalId;
        case 'AWS::DynamoDB::Table.Arn':
          return `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${tableNameOf(template, logicalId)}`;
        case 'AWS::S3::Bucket.Arn':
          return `arn:aws:s3:::${names.bucketName(logicalId)}`;
        case 'AWS::Lambda::Function.Arn':
          return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${logicalId}`;
        case 'AWS::IAM::Role.Arn':
          return `arn:aws:iam::${ACCOUNT_ID}:role/${logicalId}`;
        case 'AWS::Cognito::UserPool.Arn':
          return `arn:aws:cognito-idp:${region}:${ACCOUNT_ID}:userpool/${names.userPoolId}`;
        case 'AWS::StepFunctions::StateMachine.Arn':
          return stateMachineArn(region, ACCOUNT_ID, stateMachineNameOf(template, logicalId));
        case 'AWS::StepFunctions::StateMachine.Name':
          return stateMachineNameOf(template, logicalId);
        case 'AWS::Cognito::UserPool.ProviderURL':
          return `cognito-idp.${region}.amazonaws.com/${names.userPoolId}`;
        default:
          return `${logicalId}.${attribute}`;
      }
    },
  };
}

/** A function's environment as Lambda would give it: the template's variables plus the runtime's. */
export function functionEnvironment(
  topology: Topology,
  functionLogicalId: string,
  values: LocalValues,
  names: LocalNames,
  endpoints: Endpoints,
): Record<string, string> {
  const fn = topology.functions.get(functionLogicalId);
  const principal = names.functionPrincipals.get(functionLogicalId);
  if (!fn || !principal) throw new Error(`Unknown function ${functionLogicalId}`);
  const declared = resolveIntrinsics(fn.environment, values) as Record<string, unknown>;
  return {
    PATH: process.env['PATH'] ?? '',
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    ...Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, String(v)])),
    AWS_REGION: names.region,
    AWS_DEFAULT_REGION: names.region,
    AWS_ACCESS_KEY_ID: principal.accessKeyId,
    AWS_SECRET_ACCESS_KEY: principal.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    _HANDLER: `index.${fn.handlerName}`,
    // How the AWS SDK reaches the local services: its own service-specific endpoint variables,
    // so no handler code knows it runs locally.
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    ...(endpoints.messaging === undefined
      ? {}
      : { AWS_ENDPOINT_URL_SQS: endpoints.messaging, AWS_ENDPOINT_URL_SNS: endpoints.messaging }),
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    // Keep a developer's ~/.aws from leaking into functions.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** `appsync:GraphQL` on a field of one API, as the caller's role policy says. */
export function iamAuthorizer(topology: Topology, names: LocalNames, values: LocalValues, apiLogicalId: string) {
  const byUsername = new Map<string, IamPrincipal>();
  for (const p of [...names.functionPrincipals.values(), names.developer]) byUsername.set(p.identity.username, p);
  const resolved = new Map(
    [...topology.roles.values()].map((role) => [
      role.logicalId,
      role.statements.map((s) => ({ ...s, Resource: resolveIntrinsics(s.Resource, values) })),
    ]),
  );
  const arn = apiArn(names, apiLogicalId);
  return (caller: Caller, typeName: string, fieldName: string): boolean => {
    if (caller.mode !== 'AWS_IAM') return true;
    const principal = byUsername.get(caller.identity.username);
    if (!principal) return false;
    if (principal === names.developer) return true;
    if (principal.roleLogicalId === undefined) return false;
    const statements = resolved.get(principal.roleLogicalId) ?? [];
    return isAllowed(statements, 'appsync:GraphQL', `${arn}/types/${typeName}/fields/${fieldName}`);
  };
}
