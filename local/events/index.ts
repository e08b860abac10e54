import type { CfnTemplate } from '../cdk/template.js';
import type { Messaging } from '../messaging/index.js';
import { LocalEventBuses } from './bus.js';

export { LocalEventBuses, busKey } from './bus.js';

/** The template's event buses and pattern rules, delivering to its functions, queues and topics. */
export function createEventBuses(options: {
  readonly template: CfnTemplate;
  readonly messaging: Messaging;
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  readonly region: string;
  readonly accountId: string;
  readonly log: (line: string) => void;
}): LocalEventBuses {
  const { messaging } = options;
  return new LocalEventBuses(
    options.template,
    {
      invoke: options.invoke,
      sendToQueue: (logicalId, body) => {
        const queue = messaging.queues.get(logicalId);
        queue?.send({ body, senderId: 'events.amazonaws.com' });
        return queue !== undefined;
      },
      publishToTopic: (logicalId, message) => {
        const topic = messaging.topics.get(logicalId);
        topic?.publish({ message });
        return topic !== undefined;
      },
      log: options.log,
    },
    options.region,
    options.accountId,
  );
}
