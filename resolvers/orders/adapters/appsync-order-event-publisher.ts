/**
 * OrderEventPublisher that calls the API's IAM-only `publishOrderEvent` mutation, SigV4-signed
 * (service `appsync`) with the function's own credentials. Subscribers receive the fields this
 * mutation selects, so it selects every field of OrderEvent.
 */
import type { PublishOrderEventInput } from '../../generated/graphql.js';
import type { OrderEventPublisher } from '../domain/ports.js';
import { AppSyncIamClient, type AppSyncIamClientOptions } from '../../adapters/appsync-iam-client.js';

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

/** The API refused or failed the mutation (HTTP error or a GraphQL `errors` array). */
export class OrderEventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrderEventPublishError';
  }
}

export type AppSyncOrderEventPublisherOptions = AppSyncIamClientOptions;

export class AppSyncOrderEventPublisher implements OrderEventPublisher {
  readonly #client: AppSyncIamClient;

  constructor(options: AppSyncOrderEventPublisherOptions) {
    this.#client = new AppSyncIamClient(options);
  }

  async publish(input: PublishOrderEventInput): Promise<void> {
    try {
      await this.#client.send('PublishOrderEvent', PUBLISH_ORDER_EVENT_MUTATION, { input });
    } catch (error) {
      throw new OrderEventPublishError(`publishOrderEvent: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
