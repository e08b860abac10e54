/**
 * An `ApiSpec` for engine tests: one API-key API with every limit off, so a test states only the
 * schema and the parts (data sources, resolvers) it is about.
 */
import { readFileSync } from 'node:fs';
import type { ApiSpec } from '../../local/cdk/topology.js';

/** AppSync's own directives and scalars, which the engine loads next to every schema. */
export const BUILTINS = readFileSync(new URL('../../schema/appsync.graphql', import.meta.url), 'utf8');

export const apiSpec = (schema: string, overrides: Partial<ApiSpec> = {}): ApiSpec => ({
  logicalId: 'Api',
  name: 'api',
  schema,
  defaultMode: 'API_KEY',
  additionalModes: [],
  userPoolLogicalId: undefined,
  userPoolClientRegex: undefined,
  apiKeys: [],
  dataSources: new Map(),
  resolvers: [],
  pipelineFunctions: new Map(),
  queryDepthLimit: 0,
  resolverCountLimit: 0,
  introspection: true,
  oidc: undefined,
  lambdaAuthorizer: undefined,
  ...overrides,
});
