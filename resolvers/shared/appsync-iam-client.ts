/**
 * Calls the API's GraphQL endpoint as the function itself: SigV4-signed (service `appsync`)
 * with the function's own credentials, which is how IAM-only mutations are reached. A GraphQL
 * `errors` array counts as a failure, as does any HTTP status but 2xx.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';

export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export interface AppSyncIamClientOptions {
  /** GRAPHQL_URL, e.g. https://xxxx.appsync-api.eu-west-1.amazonaws.com/graphql */
  readonly url: string;
  /** AWS_REGION */
  readonly region: string;
  /** Defaults to the SDK's default chain (environment, then container/instance roles, ...). */
  readonly credentials?: SignerCredentials;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** The API refused or failed the call: what went wrong, for the caller's own error type. */
export class AppSyncCallFailure extends Error {
  override name = 'AppSyncCallFailure';
}

export class AppSyncIamClient {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AppSyncIamClientOptions) {
    this.#url = new URL(options.url);
    this.#signer = new SignatureV4({
      service: 'appsync',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Sends one operation; resolves when the API answered without errors. */
  async send(operationName: string, query: string, variables: Readonly<Record<string, unknown>>): Promise<void> {
    const body = JSON.stringify({ query, operationName, variables });
    const url = this.#url;
    const signed = await this.#signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      }),
    );
    // fetch derives Host from the URL (the same value that was signed).
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    const response = await this.#fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
    const text = await response.text();
    if (!response.ok) throw new AppSyncCallFailure(`HTTP ${response.status}: ${text.slice(0, 500)}`);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new AppSyncCallFailure('the response is not JSON', { cause: error });
    }
    const errors = (payload as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const first = errors[0] as { errorType?: unknown; message?: unknown };
      throw new AppSyncCallFailure(`${String(first.errorType ?? 'Error')}: ${String(first.message ?? '')}`);
    }
  }
}
