/**
 * The API's authentication as the template configures it: every mode of the GraphQL API, with
 * the local stand-ins for what AWS hosts (the user pool's and the OIDC provider's token
 * issuers, the API keys, IAM principals) and the Lambda authorizer run from its handler module.
 */
import { ACCOUNT_ID, type LocalNames } from '../wiring.js';
import type { Authenticator } from '../contracts.js';
import type { ApiSpec, Topology } from '../cdk/topology.js';
import { type ApiKeyConfig, type IamCredentialConfig, createAuthenticator } from './authenticator.js';
import type { LocalIssuer } from './local-issuer.js';
import { type LocalOidcIssuer, createLocalOidcIssuer } from './oidc-issuer.js';

export interface ApiAuthInput {
  readonly api: ApiSpec;
  readonly stateDir: string;
  readonly region: string;
  readonly apiId: string;
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly userPool: ApiUserPool;
  readonly iamCredentials: readonly IamCredentialConfig[];
  /** Resolves a template value (the OIDC issuer may be an intrinsic). */
  readonly resolve: (value: unknown) => unknown;
  readonly invokeFunction: (functionLogicalId: string, event: unknown) => Promise<unknown>;
}

export interface ApiAuth {
  readonly authenticator: Authenticator;
  /** Present when the API has an OPENID_CONNECT mode. */
  readonly oidc: LocalOidcIssuer | undefined;
}

/** The user pool an API's Cognito mode trusts, and the app clients whose tokens it takes (undefined: any). */
export type ApiUserPool = LocalIssuer & { readonly clientIds: readonly string[] | undefined };

/**
 * The pool the API's `UserPoolConfig` names (the app's first when it names none of the
 * template's), so that a token of another pool of the app is refused as AppSync refuses it; and
 * the pool's clients that `AppIdClientRegex` matches, in full. Without a regex AppSync applies no
 * client filter: any client of the pool will do.
 */
export async function apiUserPool(
  api: ApiSpec,
  topology: Topology,
  names: LocalNames,
  resolve: (value: unknown) => unknown,
  issuerFor: (userPoolId: string, clientId: string) => Promise<LocalIssuer>,
): Promise<ApiUserPool> {
  const pool = topology.userPools.find((p) => p.logicalId === api.userPoolLogicalId) ?? topology.userPools[0];
  const userPoolId = (pool && names.userPoolIds.get(pool.logicalId)) ?? names.userPoolId;
  const clientIds = (pool?.clientLogicalIds ?? []).flatMap((c) => names.userPoolClientIds.get(c) ?? []);
  const issuer = await issuerFor(userPoolId, clientIds[0] ?? names.userPoolClientId);
  if (api.userPoolClientRegex === undefined) return { ...issuer, clientIds: undefined };
  const regex = new RegExp(`^(?:${String(resolve(api.userPoolClientRegex))})$`);
  return { ...issuer, clientIds: clientIds.filter((id) => regex.test(id)) };
}

export async function createApiAuth(input: ApiAuthInput): Promise<ApiAuth> {
  const { api } = input;
  const oidcSpec = api.oidc;
  const oidc = oidcSpec
    ? await createLocalOidcIssuer({
        stateDir: input.stateDir,
        issuer: String(input.resolve(oidcSpec.issuer)),
        clientId: oidcSpec.clientId === undefined ? undefined : String(input.resolve(oidcSpec.clientId)),
      })
    : undefined;
  const lambda = api.lambdaAuthorizer;
  const authenticator = createAuthenticator({
    defaultMode: api.defaultMode,
    additionalModes: api.additionalModes,
    apiKeys: input.apiKeys,
    userPool: {
      userPoolId: input.userPool.userPoolId,
      clientIds: input.userPool.clientIds,
      issuer: input.userPool.issuer,
      jwks: input.userPool.jwks,
    },
    iam: { region: input.region, credentials: input.iamCredentials },
    ...(oidc && oidcSpec
      ? {
          oidc: {
            issuer: oidc.issuer,
            ...(oidc.clientId !== undefined ? { clientId: oidc.clientId } : {}),
            jwks: oidc.jwks,
            // The template states the TTLs in milliseconds.
            iatTtlSeconds: Math.floor(oidcSpec.iatTtlMs / 1000),
            authTtlSeconds: Math.floor(oidcSpec.authTtlMs / 1000),
          },
        }
      : {}),
    ...(lambda
      ? {
          lambdaAuthorizer: {
            apiId: input.apiId,
            accountId: ACCOUNT_ID,
            invoke: (event) => input.invokeFunction(lambda.functionLogicalId, event),
            resultTtlSeconds: lambda.resultTtlSeconds,
            ...(lambda.identityValidationExpression !== undefined
              ? { identityValidationExpression: lambda.identityValidationExpression }
              : {}),
          },
        }
      : {}),
  });
  return { authenticator, oidc };
}
