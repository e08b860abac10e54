/** FileEventPublisher over the API's IAM-only `publishFileEvent` mutation. */
import type { FileEvent, PublishFileEventInput } from '../../generated/graphql.js';
import type { FileEventPublisher } from '../domain/ports.js';
import type { AppSyncIamClientOptions } from '../../shared/appsync-iam-client.js';
import { AppSyncMutationPublisher, publishMutation } from '../../shared/appsync-mutation-publisher.js';

export { EventPublishError } from '../../shared/appsync-mutation-publisher.js';

export const PUBLISH_FILE_EVENT = publishMutation<FileEvent>('publishFileEvent', { fileId: true, owner: true, status: true, step: true, message: true, at: true });

export const appSyncFileEventPublisher = (options: AppSyncIamClientOptions): FileEventPublisher =>
  new AppSyncMutationPublisher<PublishFileEventInput>(options, PUBLISH_FILE_EVENT);
