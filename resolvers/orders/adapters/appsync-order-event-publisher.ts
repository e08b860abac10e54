/** OrderEventPublisher over the API's IAM-only `publishOrderEvent` mutation. */
import type { OrderEvent, PublishOrderEventInput } from '../../generated/graphql.js';
import type { OrderEventPublisher } from '../domain/ports.js';
import type { AppSyncIamClientOptions } from '../../shared/appsync-iam-client.js';
import { AppSyncMutationPublisher, publishMutation } from '../../shared/appsync-mutation-publisher.js';

export const PUBLISH_ORDER_EVENT = publishMutation<OrderEvent>('publishOrderEvent', { orderId: true, owner: true, status: true, step: true, message: true, at: true });

export const appSyncOrderEventPublisher = (options: AppSyncIamClientOptions): OrderEventPublisher =>
  new AppSyncMutationPublisher<PublishOrderEventInput>(options, PUBLISH_ORDER_EVENT);
