/**
 * FileEventPublisher that calls the API's IAM-only `publishFileEvent` mutation, SigV4-signed
 * (service `appsync`) with the function's own credentials. Subscribers receive the fields this
 * mutation selects, so it selects every field of FileEvent.
 */
import type { PublishFileEventInput } from '../generated/graphql.js';
import type { FileEventPublisher } from '../files/ports.js';
import { AppSyncIamClient, type AppSyncIamClientOptions } from './appsync-iam-client.js';

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

/** The API refused or failed the mutation (HTTP error or a GraphQL `errors` array). */
export class EventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventPublishError';
  }
}

export type AppSyncEventPublisherOptions = AppSyncIamClientOptions;

export class AppSyncEventPublisher implements FileEventPublisher {
  readonly #client: AppSyncIamClient;

  constructor(options: AppSyncEventPublisherOptions) {
    this.#client = new AppSyncIamClient(options);
  }

  async publish(input: PublishFileEventInput): Promise<void> {
    try {
      await this.#client.send('PublishFileEvent', PUBLISH_FILE_EVENT_MUTATION, { input });
    } catch (error) {
      throw new EventPublishError(`publishFileEvent: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
