/**
 * The credentials of a raw AppSync request and the headers they add: shared by the conformance
 * suite and the simulator's conformance probes, so that both authenticate the same way. It imports
 * no GraphQL library, since the probes run beside a simulator pinned to another graphql major.
 */
import { signAppSyncRequest } from '../../client/sign-request.js';

/**
 * How a request proves who it is, one per AppSync mode: an API key, a token in `Authorization`
 * (user pools, OIDC and the Lambda authorizer all read that header), a SigV4 signature, or
 * nothing.
 */
export type Credentials =
  | { readonly kind: 'apiKey'; readonly apiKey: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'iam'; readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  | { readonly kind: 'none' };

/** The headers `credentials` add to a POST of `body` to `url` (SigV4 signs host, path and body in `region`). */
export async function authHeaders(url: string, credentials: Credentials, body: string, region: string): Promise<Record<string, string>> {
  switch (credentials.kind) {
    case 'none':
      return {};
    case 'apiKey':
      return { 'x-api-key': credentials.apiKey };
    case 'token':
      return { authorization: credentials.token };
    case 'iam':
      return signAppSyncRequest(url, body, { ...credentials, region });
  }
}
