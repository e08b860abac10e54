import { type EngineOptions, GraphQLEngine } from '../graphql/engine.js';
import { compileResolverCode } from './resolver-code.js';

export { SchemaError } from '../graphql/engine.js';

/**
 * The GraphQL engine (local/graphql/engine.ts) as the local stack, the tests and the benchmark
 * build it: APPSYNC_JS code compiled by esbuild after AppSync's checks (resolver-code.ts) unless
 * the options give another compiler.
 */
export class AppSyncEngine extends GraphQLEngine {
  constructor(options: Omit<EngineOptions, 'compileResolverCode'> & Partial<Pick<EngineOptions, 'compileResolverCode'>>) {
    super({ compileResolverCode, ...options });
  }
}
