/**
 * Publishes events through one of the API's IAM-only mutations (`publishFileEvent`,
 * `publishOrderEvent`), SigV4-signed with the function's own credentials. Subscribers receive
 * the fields the mutation selects, so each domain's document selects every field of its event.
 */
import { AppSyncIamClient, type AppSyncIamClientOptions } from './appsync-iam-client.js';

/** The API refused or failed the mutation (HTTP error or a GraphQL `errors` array). */
export class EventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventPublishError';
  }
}

export interface PublishMutation {
  /** The operation's name in `document`, e.g. `PublishFileEvent`. */
  readonly operationName: string;
  /** The mutation field, for error messages, e.g. `publishFileEvent`. */
  readonly field: string;
  /** A document taking the event as `$input`. */
  readonly document: string;
}

export class AppSyncMutationPublisher<TInput> {
  readonly #client: AppSyncIamClient;
  readonly #mutation: PublishMutation;

  constructor(options: AppSyncIamClientOptions, mutation: PublishMutation) {
    this.#client = new AppSyncIamClient(options);
    this.#mutation = mutation;
  }

  async publish(input: TInput): Promise<void> {
    try {
      await this.#client.send(this.#mutation.operationName, this.#mutation.document, { input });
    } catch (error) {
      throw new EventPublishError(`${this.#mutation.field}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
