/**
 * FileEventPublisher that calls the API's IAM-only `publishFileEvent` mutation, SigV4-signed
 * (service `appsync`) with the function's own credentials. Subscribers receive the fields this
 * mutation selects, so it selects every field of FileEvent.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PublishFileEventInput } from '../generated/graphql.js';
import type { FileEventPublisher } from '../files/ports.js';

export const PUBLISH_FILE_EVENT_MUTATION = /* GraphQL */ `
  mutation PublishFileEvent($input: PublishFileEventInput!) {
    publishFileEvent(input: $input) {
      fileId
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
export class EventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventPublishError';
  }
}

export interface AppSyncEventPublisherOptions {
  /** GRAPHQL_URL, e.g. https://xxxx.appsync-api.eu-west-1.amazonaws.com/graphql */
  readonly url: string;
  /** AWS_REGION */
  readonly region: string;
  /** Defaults to the SDK's default chain (environment, then container/instance roles, ...). */
  readonly credentials?: SignerCredentials;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export class AppSyncEventPublisher implements FileEventPublisher {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AppSyncEventPublisherOptions) {
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

  async publish(input: PublishFileEventInput): Promise<void> {
    const body = JSON.stringify({
      query: PUBLISH_FILE_EVENT_MUTATION,
      operationName: 'PublishFileEvent',
      variables: { input },
    });
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
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'),
    );
    const response = await this.#fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new EventPublishError(`publishFileEvent: HTTP ${response.status}: ${text.slice(0, 500)}`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new EventPublishError('publishFileEvent: the response is not JSON', { cause: error });
    }
    const errors = (payload as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const first = errors[0] as { errorType?: unknown; message?: unknown };
      throw new EventPublishError(
        `publishFileEvent: ${String(first.errorType ?? 'Error')}: ${String(first.message ?? '')}`,
      );
    }
  }
}
