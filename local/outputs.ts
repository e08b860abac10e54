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
  readonly data: {
    readonly aws_region: string;
    readonly url: string;
    readonly api_key?: string;
    readonly default_authorization_type: AuthMode;
    readonly authorization_types: readonly AuthMode[];
  };
  /**
   * Not part of Amplify's schema: the local Cognito endpoint, for
   * `Amplify.configure(config, ...)` with `Auth.Cognito.userPoolEndpoint` (README).
   */
  readonly custom?: { readonly user_pool_endpoint: string };
}

export interface OutputsInput {
  readonly region: string;
  readonly graphqlUrl: string;
  readonly apiKey: string | undefined;
  readonly defaultMode: AuthMode;
  readonly additionalModes: readonly AuthMode[];
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The local stack's Cognito API (`custom.user_pool_endpoint`); absent for a deployed stack. */
  readonly userPoolEndpoint?: string;
}

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
    data: {
      aws_region: input.region,
      url: input.graphqlUrl,
      ...(input.apiKey ? { api_key: input.apiKey } : {}),
      default_authorization_type: input.defaultMode,
      authorization_types: input.additionalModes,
    },
    ...(input.userPoolEndpoint === undefined ? {} : { custom: { user_pool_endpoint: input.userPoolEndpoint } }),
  };
}
