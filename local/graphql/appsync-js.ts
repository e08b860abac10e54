import { createContext, Script } from 'node:vm';
import { type Effects, type HandlerOutcome, ResolverCodeError, withEffects } from './effects.js';
import { extensions, runtime, util } from './js-util.js';
import { dynamodbModule } from './js-dynamodb.js';

export {
  type AppendedError,
  type Effects,
  EarlyReturn,
  type HandlerOutcome,
  type Invalidation,
  ResolverAbort,
  ResolverCodeError,
  newEffects,
} from './effects.js';

/**
 * A local APPSYNC_JS runtime. `@aws-appsync/utils` on npm is type stubs only, so `util`,
 * `extensions` and `runtime` are implemented here, as far as resolvers and AppSync's documented
 * subscription features need them. Checking code against AppSync's rules and turning it into a
 * script is a `ResolverCodeCompiler`'s work, given from outside: it needs esbuild, eslint and a
 * cache on disk (local/graphql-adapters/resolver-code.ts).
 */

export type Handler = (ctx: unknown) => unknown;

/**
 * Turns resolver code (an ES module) into a CommonJS script this runtime evaluates. Throws
 * `ResolverCodeError` naming `name` and each problem, among them whatever AppSync's runtime
 * would refuse.
 */
export type ResolverCodeCompiler = (code: string, name: string) => string;

export interface ResolverModule {
  readonly name: string;
  readonly request: Handler;
  readonly response: Handler;
}

const libraries = { util, extensions, runtime };

/**
 * Loads resolver code: an ES module exporting `request` and `response`, compiled by `compile`.
 * Throws `ResolverCodeError` naming the resolver and each problem.
 */
export function loadResolverCode(code: string, name: string, compile: ResolverCodeCompiler): ResolverModule {
  const compiled = compile(code, name);
  const exports: Record<string, unknown> = {};
  const module = { exports };
  const requireLibrary = (specifier: string) => {
    if (specifier === '@aws-appsync/utils') return libraries;
    if (specifier === '@aws-appsync/utils/dynamodb') return dynamodbModule;
    throw new ResolverCodeError(`${name}: APPSYNC_JS cannot import ${specifier}`);
  };
  const context = createContext({ module, exports, require: requireLibrary, console });
  new Script(compiled, { filename: name }).runInContext(context);
  const loaded = module.exports as Partial<ResolverModule>;
  if (typeof loaded.request !== 'function' || typeof loaded.response !== 'function') {
    throw new ResolverCodeError(`${name}: resolver code must export request and response functions`);
  }
  return { name, request: loaded.request, response: loaded.response };
}

/** Calls a handler with its effects recorded. `early` says it ended with `runtime.earlyReturn`. */
export function callHandler(handler: Handler, ctx: unknown, into: Effects): HandlerOutcome {
  return withEffects(into, () => handler(ctx));
}
