/**
 * What a resolver call asks of AppSync besides its value (appended errors, subscription filters,
 * invalidations), recorded in one slot while the call runs: APPSYNC_JS and VTL are synchronous.
 */
import type { SubscriptionFilter } from './filters.js';

/** `util.error` and friends: aborts the resolver; AppSync turns it into a GraphQL error. */
export class ResolverAbort extends Error {
  override readonly name = 'ResolverAbort';
  constructor(
    message: string,
    readonly errorType: string | undefined,
    readonly data: unknown,
    readonly errorInfo: unknown,
    /** `util.unauthorized()`: the engine words it as AppSync does for the field. */
    readonly unauthorized = false,
  ) {
    super(message);
  }
}

/** Resolver code AppSync would refuse: it does not load. */
export class ResolverCodeError extends Error {
  override readonly name = 'ResolverCodeError';
}

export interface AppendedError {
  readonly message: string;
  readonly errorType: string | undefined;
  readonly data: unknown;
  readonly errorInfo: unknown;
}

export interface Invalidation {
  readonly subscriptionField: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What a handler call asked of AppSync besides its return value. */
export interface Effects {
  /** Who calls (`util.authType()` tells the mode from it); set by the runner before a handler runs. */
  identity?: unknown;
  readonly appendedErrors: AppendedError[];
  subscriptionFilter: SubscriptionFilter | undefined;
  invalidationFilter: SubscriptionFilter | undefined;
  readonly invalidations: Invalidation[];
}

export const newEffects = (): Effects => ({
  appendedErrors: [],
  subscriptionFilter: undefined,
  invalidationFilter: undefined,
  invalidations: [],
});

// APPSYNC_JS is synchronous, so the effects of the call in progress can live in one slot.
let current: Effects | undefined;
export const effects = (): Effects => {
  if (!current) throw new ResolverCodeError('util/extensions used outside a resolver call');
  return current;
};


/** `runtime.earlyReturn` (and VTL's `#return`): skips the rest of the handler (and, from a request handler, the data source). */
export class EarlyReturn {
  constructor(readonly value: unknown) {}
}

export type HandlerOutcome = { readonly early: boolean; readonly value: unknown };

/** Calls `run` with its effects recorded in `into`. `early` says it ended with an early return. */
export function withEffects(into: Effects, run: () => unknown): HandlerOutcome {
  const previous = current;
  current = into;
  try {
    return { early: false, value: run() };
  } catch (error) {
    if (error instanceof EarlyReturn) return { early: true, value: error.value };
    throw error;
  } finally {
    current = previous;
  }
}
