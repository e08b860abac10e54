/**
 * The pipeline's SNS publishers: file status messages (read by the notify function through its
 * queue, filtered on the `status` attribute) and user notifications (e-mail or SMS subscriptions
 * of the notifications topic in AWS; a log line from the local stack).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { FileStatusMessage, NotificationSender, StatusPublisher, UserNotification } from '../domain/ports.js';

/** The message attributes a status message carries (subscription filter policies use `status`). */
export const STATUS_ATTRIBUTE = 'status';
export const CORRELATION_ATTRIBUTE = 'correlationId';

export class SnsStatusPublisher implements StatusPublisher {
  constructor(private readonly options: { readonly client: SNSClient; readonly topicArn: string }) {}

  async publish(message: FileStatusMessage): Promise<void> {
    await this.options.client.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Message: JSON.stringify(message),
        MessageAttributes: {
          [STATUS_ATTRIBUTE]: { DataType: 'String', StringValue: message.status },
          ...(message.correlationId === null
            ? {}
            : { [CORRELATION_ATTRIBUTE]: { DataType: 'String', StringValue: message.correlationId } }),
        },
      }),
    );
  }
}

export class SnsNotificationSender implements NotificationSender {
  constructor(private readonly options: { readonly client: SNSClient; readonly topicArn: string }) {}

  async send(notification: UserNotification): Promise<void> {
    await this.options.client.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Subject: notification.status === 'READY' ? 'Your file is ready' : 'Your file could not be processed',
        Message: notification.text,
        MessageAttributes: {
          owner: { DataType: 'String', StringValue: notification.owner },
          fileId: { DataType: 'String', StringValue: notification.fileId },
          [STATUS_ATTRIBUTE]: { DataType: 'String', StringValue: notification.status },
        },
      }),
    );
  }
}
