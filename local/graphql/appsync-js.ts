import { randomUUID } from 'node:crypto';
import { createContext, Script } from 'node:vm';
import { transformSync } from 'esbuild';
import { type SubscriptionFilter, toSubscriptionFilter, validateFilter } from './filters.js';

/**
 * A local APPSYNC_JS runtime. `@aws-appsync/utils` on npm is type stubs only, so `util` and
 * `extensions` are implemented here, as far as this project's resolvers and AppSync's
 * documented subscription features need them.
 */

/** `util.error`: aborts the resolver; AppSync turns it into a GraphQL error. */
export class ResolverAbort extends Error {
  override readonly name = 'ResolverAbort';
  constructor(
    message: string,
    readonly errorType: string | undefined,
    readonly data: unknown,
    readonly errorInfo: unknown,
  ) {
    super(message);
  }
}

export class ResolverCodeError extends Error {
  override readonly name = 'ResolverCodeError';
}

export interface AppendedError {
  readonly message: string;
  readonly errorType: string | undefined;
  readonly data: unknown;
  readonly errorInfo: unknown;
}

/** What a handler call asked of AppSync besides its return value. */
export interface Effects {
  readonly appendedErrors: AppendedError[];
  subscriptionFilter: SubscriptionFilter | undefined;
  invalidationFilter: SubscriptionFilter | undefined;
  readonly invalidations: { subscriptionField: string; payload: Record<string, unknown> }[];
}

export const newEffects = (): Effects => ({
  appendedErrors: [],
  subscriptionFilter: undefined,
  invalidationFilter: undefined,
  invalidations: [],
});

// APPSYNC_JS is synchronous, so the effects of the call in progress can live in one slot.
let current: Effects | undefined;
const effects = (): Effects => {
  if (!current) throw new ResolverCodeError('util/extensions used outside a resolver call');
  return current;
};

const nowIso = () => new Date().toISOString();

const util = Object.freeze({
  autoId: () => randomUUID(),
  autoUlid: () => randomUUID(),
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
    throw new ResolverAbort(message, errorType, data ?? null, errorInfo ?? null);
  },
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
    effects().appendedErrors.push({ message, errorType, data: data ?? null, errorInfo: errorInfo ?? null });
  },
  unauthorized(): never {
    throw new ResolverAbort('Unauthorized', 'Unauthorized', null, null);
  },
  isNull: (value: unknown) => value === null || value === undefined,
  isNullOrEmpty: (value: unknown) => value === null || value === undefined || value === '',
  toJson: (value: unknown) => JSON.stringify(value),
  time: Object.freeze({
    nowISO8601: nowIso,
    nowEpochSeconds: () => Math.floor(Date.now() / 1000),
    nowEpochMilliSeconds: () => Date.now(),
  }),
  transform: Object.freeze({
    toSubscriptionFilter: (input: Record<string, unknown>, ignoredFields?: string[]) =>
      toSubscriptionFilter(input, ignoredFields),
  }),
});

const extensions = Object.freeze({
  setSubscriptionFilter(filter: unknown): void {
    effects().subscriptionFilter = validateFilter(filter);
  },
  setSubscriptionInvalidationFilter(filter: unknown): void {
    effects().invalidationFilter = validateFilter(filter);
  },
  invalidateSubscriptions(invalidation: { subscriptionField: string; payload: Record<string, unknown> }): void {
    const list = effects().invalidations;
    // AppSync allows at most five invalidations per request.
    if (list.length >= 5) throw new ResolverAbort('Too many invalidateSubscriptions calls', 'LimitExceededError', null, null);
    list.push(invalidation);
  },
});

const runtime = Object.freeze({
  earlyReturn(value: unknown): never {
    throw new EarlyReturn(value);
  },
});

/** `runtime.earlyReturn`: skips the rest of the handler with a value. */
export class EarlyReturn {
  constructor(readonly value: unknown) {}
}

export type Handler = (ctx: unknown) => unknown;

export interface ResolverModule {
  readonly request: Handler;
  readonly response: Handler;
}

/** Loads resolver code: an ES module exporting `request` and `response`. */
export function loadResolverCode(code: string, name: string): ResolverModule {
  let compiled: string;
  try {
    compiled = transformSync(code, { format: 'cjs', loader: 'js', target: 'es2021' }).code;
  } catch (error) {
    throw new ResolverCodeError(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const exports: Record<string, unknown> = {};
  const module = { exports };
  const require = (specifier: string) => {
    if (specifier === '@aws-appsync/utils') return { util, extensions, runtime };
    throw new ResolverCodeError(`${name}: APPSYNC_JS cannot import ${specifier}`);
  };
  const context = createContext({ module, exports, require, console });
  new Script(compiled, { filename: name }).runInContext(context);
  const loaded = module.exports as Partial<ResolverModule>;
  if (typeof loaded.request !== 'function' || typeof loaded.response !== 'function') {
    throw new ResolverCodeError(`${name}: resolver code must export request and response functions`);
  }
  return { request: loaded.request, response: loaded.response };
}

/** Calls a handler with its effects recorded. An `earlyReturn` counts as its return value. */
export function callHandler(handler: Handler, ctx: unknown, into: Effects): unknown {
  const previous = current;
  current = into;
  try {
    return handler(ctx);
  } catch (error) {
    if (error instanceof EarlyReturn) return error.value;
    throw error;
  } finally {
    current = previous;
  }
}
