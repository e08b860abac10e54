import type { AuthMode } from './contracts.js';

/**
 * The Amplify Gen 2 client configuration (`amplify_outputs.json`), so `Amplify.configure()`
 * works against the local stack unchanged. The same shape can be written for a deployed stack
 * from its CloudFormation outputs.
 */
export interface AmplifyOutputs {
  readonly version: '1.4';
  readonly auth: {
    readonly aws_region: string;
    readonly user_pool_id: string;
    readonly user_pool_client_id: string;
    readonly username_attributes: readonly string[];
    readonly standard_required_attributes: readonly string[];
    readonly user_verification_types: readonly string[];
    readonly unauthenticated_identities_enabled: boolean;
  };
  readonly data: DataSection;
  /**
   * Not part of Amplify's schema: the local Cognito endpoint, for
   * `Amplify.configure(config, ...)` with `Auth.Cognito.userPoolEndpoint` (README), and for an app
   * with several GraphQL APIs, every one of them (`data` holds one).
   */
  readonly custom?: { readonly user_pool_endpoint: string; readonly graphql_apis?: readonly GraphqlApiSection[] };
}

interface DataSection {
  readonly aws_region: string;
  readonly url: string;
  readonly api_key?: string;
  readonly default_authorization_type: AuthMode;
  readonly authorization_types: readonly AuthMode[];
}

/** One API of `custom.graphql_apis`: what `data` would say of it, and which it is. */
export interface GraphqlApiSection extends DataSection {
  readonly name: string;
  readonly logical_id: string;
  readonly realtime_url: string;
}

/** What `data` says of an API. */
export interface OutputsApi {
  readonly graphqlUrl: string;
  readonly apiKey: string | undefined;
  readonly defaultMode: AuthMode;
  readonly additionalModes: readonly AuthMode[];
}

export interface OutputsInput extends OutputsApi {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The local stack's Cognito API (`custom.user_pool_endpoint`); absent for a deployed stack. */
  readonly userPoolEndpoint?: string;
  /** Every API of an app with several, for `custom.graphql_apis` (local only, with `userPoolEndpoint`). */
  readonly apis?: readonly NamedApi[];
}

/** An API of the app, named: what an app with several lists for each. */
export interface NamedApi extends OutputsApi {
  readonly name: string;
  readonly logicalId: string;
  readonly realtimeUrl: string;
}

const dataSection = (region: string, api: OutputsApi): DataSection => ({
  aws_region: region,
  url: api.graphqlUrl,
  ...(api.apiKey ? { api_key: api.apiKey } : {}),
  default_authorization_type: api.defaultMode,
  authorization_types: api.additionalModes,
});

export function amplifyOutputs(input: OutputsInput): AmplifyOutputs {
  return {
    version: '1.4',
    auth: {
      aws_region: input.region,
      user_pool_id: input.userPoolId,
      user_pool_client_id: input.userPoolClientId,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      unauthenticated_identities_enabled: false,
    },
    data: dataSection(input.region, input),
    ...(input.userPoolEndpoint === undefined
      ? {}
      : {
          custom: {
            user_pool_endpoint: input.userPoolEndpoint,
            ...(input.apis === undefined
              ? {}
              : {
                  graphql_apis: input.apis.map((api) => ({
                    name: api.name,
                    logical_id: api.logicalId,
                    ...dataSection(input.region, api),
                    realtime_url: api.realtimeUrl,
                  })),
                }),
          },
        }),
  };
}
