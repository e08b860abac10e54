import { FieldError } from '../errors.js';
import type { DataSourceDeps, DataSourceRunner, EventEntry } from './types.js';

/**
 * AMAZON_EVENTBRIDGE: `{operation: 'PutEvents', events: [{source, detailType, detail, ...}]}` put
 * on the data source's bus (EventBridgeConfig.EventBusArn); the result is PutEvents' response,
 * `{Entries: [{EventId}], FailedEntryCount}`.
 */
export function eventBridgeDataSource(name: string, properties: Readonly<Record<string, unknown>>, deps: DataSourceDeps): DataSourceRunner {
  const bus = (properties['EventBridgeConfig'] as { EventBusArn?: unknown } | undefined)?.EventBusArn;
  return {
    async run(raw) {
      const request = (raw ?? {}) as { operation?: string; events?: EventEntry[] };
      if (request.operation !== 'PutEvents') {
        throw new FieldError('MappingTemplate', `${name}: EventBridge data sources support PutEvents, not ${String(request.operation)}`);
      }
      const events = request.events ?? [];
      if (events.length === 0 || events.length > 10) {
        return { ok: false, error: { type: 'EventBridge:ValidationException', message: 'PutEvents takes 1 to 10 events' } };
      }
      if (!deps.putEvents) throw new FieldError('MappingTemplate', `${name}: the local stack has no event bus`);
      // The bus as the template names it (a reference to an AWS::Events::EventBus, or the default bus's ARN).
      const { eventIds } = await deps.putEvents(bus, events);
      return { ok: true, result: { Entries: eventIds.map((EventId) => ({ EventId })), FailedEntryCount: 0 } };
    },
  };
}
