/**
 * What the functions' bundles get in place of `@aws-sdk/credential-provider-node` (esbuild alias,
 * infra/constructs/service-function.ts): the AWS SDK's default credential chain cut to its first
 * link, the environment.
 *
 * Lambda hands every execution environment its role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and the full chain tries the environment first,
 * so on Lambda it never gets further. Its other links (SSO, shared ini files, credential
 * processes, web identity, container and instance metadata) and the STS/SSO clients they bring
 * weigh ~130 KiB minified: a third of a bare DynamoDB client bundle, compiled by V8 at every cold
 * start for nothing (`npm run bench -- --only coldstart` measures it).
 *
 * The local stack runs the functions from source with packages from node_modules, so there the
 * full chain runs; it also sets the function role's credentials in the environment, so both
 * resolve the same credentials.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type CredentialProvider = ReturnType<typeof fromEnv>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** The clients call it with their configuration (logger among it); only the logger is used. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): CredentialProvider => fromEnv(init);

// The rest of @aws-sdk/credential-provider-node's exports, with its meaning: credentials with an
// expiration are refreshed, five minutes before it.
const REFRESH_BEFORE_EXPIRY_MS = 300_000;

export const credentialsWillNeedRefresh = (credentials: Credentials): boolean => credentials.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: Credentials): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRY_MS;
