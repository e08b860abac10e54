/**
 * Publishes events through one of the API's IAM-only mutations (`publishFileEvent`,
 * `publishOrderEvent`), SigV4-signed with the function's own credentials. Subscribers receive
 * the fields the mutation selects, so each domain's mutation selects every field of its event
 * (publishMutation: the compiler holds the list to the event's type).
 */
import { AppSyncIamClient, type AppSyncIamClientOptions } from './appsync-iam-client.js';

/** The API refused or failed the mutation (HTTP error or a GraphQL `errors` array). */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

export interface PublishMutation {
  /** The operation's name in `document`, e.g. `PublishFileEvent`. */
  readonly operationName: string;
  /** The mutation field, for error messages, e.g. `publishFileEvent`. */
  readonly field: string;
  /** A document taking the event as `$input`. */
  readonly document: string;
}

/** Every field of the event type E (what a GraphQL selection of all of them names), each `true`. */
export type EveryField<E> = Record<Exclude<keyof E, '__typename'> & string, true>;

/**
 * The mutation `field` as a document that takes the event as `$input` (of type `<Field>Input`,
 * as the schema names publish inputs) and selects every field of the event type E: a `fields`
 * object that misses one of E's fields, or names one E does not have, does not compile.
 */
export function publishMutation<E>(field: string, fields: EveryField<E>): PublishMutation {
  const operationName = `${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  const selection = Object.keys(fields).join(' ');
  return { operationName, field, document: `mutation ${operationName}($input: ${operationName}Input!) { ${field}(input: $input) { ${selection} } }` };
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
