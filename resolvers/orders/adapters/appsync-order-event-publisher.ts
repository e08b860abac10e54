/** OrderEventPublisher over the API's IAM-only `publishOrderEvent` mutation. */
import type { PublishOrderEventInput } from '../../generated/graphql.js';
import type { OrderEventPublisher } from '../domain/ports.js';
import type { AppSyncIamClientOptions } from '../../shared/appsync-iam-client.js';
import { AppSyncMutationPublisher } from '../../shared/appsync-mutation-publisher.js';

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

export type AppSyncOrderEventPublisherOptions = AppSyncIamClientOptions;

export class AppSyncOrderEventPublisher extends AppSyncMutationPublisher<PublishOrderEventInput> implements OrderEventPublisher {
  constructor(options: AppSyncOrderEventPublisherOptions) {
    super(options, { operationName: 'PublishOrderEvent', field: 'publishOrderEvent', document: PUBLISH_ORDER_EVENT_MUTATION });
  }
}
