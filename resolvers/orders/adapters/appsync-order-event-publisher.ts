/**
 * OrderEventPublisher that calls the API's IAM-only `publishOrderEvent` mutation, SigV4-signed
 * (service `appsync`) with the function's own credentials. Subscribers receive the fields this
 * mutation selects, so it selects every field of OrderEvent.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PublishOrderEventInput } from '../../generated/graphql.js';
import type { OrderEventPublisher } from '../domain/ports.js';

export const PUBLISH_ORDER_EVENT_MUTATION = /* GraphQL */ `
  mutation PublishOrderEvent($input: PublishOrderEventInput!) {
    publishOrderEvent(input: $input) {
      orderId
      owner
      status
      step
      message
      at
    }
  }
`;

type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** The API refused or failed the mutation (HTTP error or a GraphQL `errors` array). */
export class OrderEventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrderEventPublishError';
  }
}

export interface AppSyncOrderEventPublisherOptions {
  /** GRAPHQL_URL */
  readonly url: string;
  /** AWS_REGION */
  readonly region: string;
  /** Defaults to the SDK's default chain (environment, then container/instance roles, ...). */
  readonly credentials?: SignerCredentials;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export class AppSyncOrderEventPublisher implements OrderEventPublisher {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AppSyncOrderEventPublisherOptions) {
    this.#url = new URL(options.url);
    this.#signer = new SignatureV4({
      service: 'appsync',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
    });
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async publish(input: PublishOrderEventInput): Promise<void> {
    const body = JSON.stringify({ query: PUBLISH_ORDER_EVENT_MUTATION, operationName: 'PublishOrderEvent', variables: { input } });
    const url = this.#url;
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      query[key] = value;
    });
    const signed = await this.#signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: url.pathname,
        query,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      }),
    );
    // fetch derives Host from the URL (the same value that was signed).
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    const response = await this.#fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
    const text = await response.text();
    if (!response.ok) throw new OrderEventPublishError(`publishOrderEvent: HTTP ${response.status}: ${text.slice(0, 500)}`);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new OrderEventPublishError('publishOrderEvent: the response is not JSON', { cause: error });
    }
    const errors = (payload as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const first = errors[0] as { errorType?: unknown; message?: unknown };
      throw new OrderEventPublishError(`publishOrderEvent: ${String(first.errorType ?? 'Error')}: ${String(first.message ?? '')}`);
    }
  }
}
