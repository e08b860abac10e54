import type { Caller, GraphQLRequest, SubscribeOutcome, SubscriptionPayload } from '../contracts.js';
import type { AppSyncError } from '../contracts.js';
import type { GraphQLEngine, RequestContext } from './engine.js';

/**
 * The engine the endpoints call; `current` changes when the API is reloaded
 * (local/graphql-adapters/api-watch.ts). Subscriptions live in a hub the engines share, so they
 * survive the change.
 */
export class EngineHolder {
  constructor(public current: GraphQLEngine) {}

  execute(request: GraphQLRequest, context: RequestContext): Promise<{ data: unknown; errors?: AppSyncError[] }> {
    return this.current.execute(request, context);
  }

  subscribe(
    request: GraphQLRequest,
    caller: Caller,
    deliver: (payload: SubscriptionPayload) => void,
    invalidated?: () => void,
  ): Promise<SubscribeOutcome> {
    return this.current.subscribe(request, caller, deliver, invalidated);
  }
}
