import type { QueueSpec } from '../../local/messaging/queue.js';

/** A standard queue named `name` as the template would declare it: 30 s visibility, no delay, 4 days' retention. */
export const queueSpec = (name: string, options: { redrive?: QueueSpec['redrive']; retentionSeconds?: number } = {}): QueueSpec => ({
  name,
  arn: `arn:aws:sqs:us-east-1:123456789012:${name}`,
  url: `http://127.0.0.1/123456789012/${name}`,
  visibilityTimeoutSeconds: 30,
  retentionSeconds: options.retentionSeconds ?? 345_600,
  delaySeconds: 0,
  receiveWaitSeconds: 0,
  redrive: options.redrive,
});
