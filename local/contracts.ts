/**
 * The seams between the local stack's parts: authentication, the GraphQL engine and the
 * real-time server. Each part depends on these types only, so each can be tested alone.
 */

export type AuthMode =
  | 'API_KEY'
  | 'AWS_IAM'
  | 'AMAZON_COGNITO_USER_POOLS'
  | 'OPENID_CONNECT'
  | 'AWS_LAMBDA';

/** `identity` as AppSync hands it to resolvers for a user-pool caller. */
export interface CognitoIdentity {
  readonly sub: string;
  readonly issuer: string;
  readonly username: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly sourceIp: readonly string[];
  readonly defaultAuthStrategy: 'ALLOW' | 'DENY';
  readonly groups: readonly string[] | null;
}

/** `identity` as AppSync hands it to resolvers for an IAM (SigV4) caller. */
export interface IamIdentity {
  readonly accountId: string;
  readonly cognitoIdentityPoolId: string | null;
  readonly cognitoIdentityId: string | null;
  readonly sourceIp: readonly string[];
  readonly username: string;
  readonly userArn: string;
  readonly cognitoIdentityAuthType: string | null;
  readonly cognitoIdentityAuthProvider: string | null;
}

export interface OidcIdentity {
  readonly sub: string;
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface LambdaIdentity {
  readonly resolverContext: Readonly<Record<string, unknown>>;
}

/** Who is calling, by the mode that admitted them. */
export type Caller =
  | { readonly mode: 'API_KEY'; readonly identity: null }
  | { readonly mode: 'AWS_IAM'; readonly identity: IamIdentity }
  | { readonly mode: 'AMAZON_COGNITO_USER_POOLS'; readonly identity: CognitoIdentity }
  | { readonly mode: 'OPENID_CONNECT'; readonly identity: OidcIdentity }
  | {
      readonly mode: 'AWS_LAMBDA';
      readonly identity: LambdaIdentity;
      /** `deniedFields` from the authorizer, as `Type.field` strings. */
      readonly deniedFields: readonly string[];
    };

/**
 * What authentication needs to see of a request. For IAM the signature covers method, host,
 * path, headers and body, so all of them are here. Header names are lower case.
 */
export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly sourceIp: string;
}

export type AuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly reason: string };

export interface Authenticator {
  /** Tries the API's modes (default first) against the request's credentials. */
  authenticate(request: AuthRequest): Promise<AuthOutcome>;
}

/** An error in AppSync's wire shape. */
export interface AppSyncError {
  readonly errorType: string;
  readonly message: string;
  readonly errorCode?: number;
  readonly errorInfo?: unknown;
  readonly path?: readonly (string | number)[] | null;
  readonly locations?: readonly { line: number; column: number; sourceName: string | null }[];
  readonly data?: unknown;
}

export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

/** What one subscription delivers: the `payload` of a `data` message. */
export interface SubscriptionPayload {
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly errors?: readonly AppSyncError[];
}

export type SubscribeOutcome =
  | { readonly ok: true; readonly unsubscribe: () => void }
  | { readonly ok: false; readonly errors: readonly AppSyncError[] };

/**
 * The GraphQL engine as the real-time server sees it. `subscribe` validates the document,
 * authorizes the subscription field for the caller, runs the subscription resolver (which may
 * set filters) and from then on calls `deliver` for each matching mutation result.
 */
export interface SubscriptionEngine {
  subscribe(
    request: GraphQLRequest,
    caller: Caller,
    deliver: (payload: SubscriptionPayload) => void,
  ): Promise<SubscribeOutcome>;
}
