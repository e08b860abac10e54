/** FileEventPublisher over the API's IAM-only `publishFileEvent` mutation. */
import type { PublishFileEventInput } from '../../generated/graphql.js';
import type { FileEventPublisher } from '../domain/ports.js';
import type { AppSyncIamClientOptions } from '../../shared/appsync-iam-client.js';
import { AppSyncMutationPublisher } from '../../shared/appsync-mutation-publisher.js';

export { EventPublishError } from '../../shared/appsync-mutation-publisher.js';

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

export type AppSyncEventPublisherOptions = AppSyncIamClientOptions;

export class AppSyncEventPublisher extends AppSyncMutationPublisher<PublishFileEventInput> implements FileEventPublisher {
  constructor(options: AppSyncEventPublisherOptions) {
    super(options, { operationName: 'PublishFileEvent', field: 'publishFileEvent', document: PUBLISH_FILE_EVENT_MUTATION });
  }
}
