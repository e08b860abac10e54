/**
 * The app's GraphQL APIs on the main port, each a whole AppSync API of its own: its engine,
 * subscription hub, auth modes, HTTP handler and real-time server, so nothing one API does reaches
 * another's clients.
 *
 * Where each is served: AppSync tells APIs apart by host; locally they share one host and port,
 * and a path tells them apart. The first API in template order is at `/graphql`, where a one-API
 * app's always was; every API is also at `/apis/<logical id>/graphql`, and that is the URL of the
 * others. Each real-time endpoint is its GraphQL path plus `/realtime`, which is what aws-amplify
 * derives from a GraphQL URL that is not AppSync's (and signs IAM handshakes for, at `/connect`),
 * so a client needs only the GraphQL URL. A logical id is unique in the template and URL-safe;
 * an API's name is neither.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAuth } from './auth/api-auth.js';
import type { ApiKeyConfig } from './auth/authenticator.js';
import type { ApiSpec } from './cdk/topology.js';
import type { GraphQLEngine } from './graphql/engine.js';
import type { EngineHolder } from './graphql/engine-holder.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import type { NamedApi } from './outputs.js';
import { type RealtimeOptions, type RealtimeServer, createRealtimeServer } from './realtime/index.js';
import { StartupError } from './startup/startup-error.js';
import type { ApiEndpoint, LocalNames } from './wiring.js';

export const FIRST_API_PATH = '/graphql';

/** The path every API answers on, the first included. */
export const prefixedApiPath = (logicalId: string): string => `/apis/${logicalId}${FIRST_API_PATH}`;

/** Each API's GraphQL and real-time URLs on the main port, by logical id. */
export function apiEndpoints(apis: readonly ApiSpec[], port: number): Map<string, ApiEndpoint> {
  return new Map(
    apis.map((api, index) => {
      const path = index === 0 ? FIRST_API_PATH : prefixedApiPath(api.logicalId);
      return [api.logicalId, { graphqlUrl: `http://localhost:${port}${path}`, realtimeUrl: `wss://localhost:${port}${path}/realtime` }];
    }),
  );
}

/** An API key AppSync would issue: the template's expiry, or AppSync's default of seven days. */
export const apiKeysOf = (api: ApiSpec, names: LocalNames): ApiKeyConfig[] =>
  api.apiKeys.map((key) => ({
    id: names.apiKeys.get(key.logicalId) ?? key.logicalId,
    expires: key.expires ?? Math.floor(Date.now() / 1000) + 7 * 24 * 3600,
  }));

/** The API `--api` names (by name or logical id), or the first: the one amplify_outputs.json's `data` describes. */
export function selectApi(apis: readonly ApiSpec[], wanted: string | undefined): ApiSpec {
  const chosen = wanted === undefined ? apis[0] : apis.find((api) => api.logicalId === wanted || api.name === wanted);
  if (chosen) return chosen;
  const choices = apis.map((api) => `${api.name} (${api.logicalId})`).join(', ');
  throw new StartupError(`--api ${wanted ?? ''} names no GraphQL API of the app; it has ${choices}.`);
}

/** What clients need of an API: the printout, `LocalStack.apis` and amplify_outputs.json. */
export const namedApi = ({ spec, endpoint, apiKeys }: ServedApi): NamedApi => ({
  name: spec.name,
  logicalId: spec.logicalId,
  graphqlUrl: endpoint.graphqlUrl,
  realtimeUrl: endpoint.realtimeUrl,
  apiKey: apiKeys[0]?.id,
  defaultMode: spec.defaultMode,
  additionalModes: spec.additionalModes,
});

/** What the main port's routes call for one API. */
export interface ApiHandlers {
  readonly graphql: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  readonly realtime: RealtimeServer;
}

/** One API as the stack runs it. */
export interface ServedApi {
  readonly spec: ApiSpec;
  readonly endpoint: ApiEndpoint;
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly auth: ApiAuth;
  readonly engine: EngineHolder;
}

/** Each API with its parts, which start separately (keyed by logical id), and the selected one's. */
export function servedApis(
  specs: readonly ApiSpec[],
  selected: ApiSpec,
  parts: {
    readonly endpoints: ReadonlyMap<string, ApiEndpoint>;
    readonly apiKeys: ReadonlyMap<string, readonly ApiKeyConfig[]>;
    readonly auths: ReadonlyMap<string, ApiAuth>;
    readonly engines: ReadonlyMap<string, EngineHolder>;
  },
): { readonly all: readonly ServedApi[]; readonly selected: ServedApi } {
  const all = specs.map((spec): ServedApi => {
    const part = <T>(map: ReadonlyMap<string, T>, what: string): T => {
      const value = map.get(spec.logicalId);
      if (value === undefined) throw new Error(`The API ${spec.logicalId} has no ${what}`);
      return value;
    };
    return {
      spec,
      endpoint: part(parts.endpoints, 'endpoint'),
      apiKeys: part(parts.apiKeys, 'API keys'),
      auth: part(parts.auths, 'auth modes'),
      engine: part(parts.engines, 'engine'),
    };
  });
  const served = all.find((api) => api.spec === selected);
  if (!served) throw new Error(`The API ${selected.logicalId} is not among the app's`);
  return { all, selected: served };
}

export interface ApiRoutes {
  /** By every path the APIs answer on (GraphQL path; the real-time path is it plus `/realtime`). */
  readonly byPath: ReadonlyMap<string, ApiHandlers>;
  close(): Promise<void>;
}

/** The HTTP and real-time endpoints of every API, on the paths above. */
export function routeApis(
  apis: readonly ServedApi[],
  realtime: Omit<RealtimeOptions, 'authenticator' | 'engine'>,
  log: (line: string) => void,
): ApiRoutes {
  const byPath = new Map<string, ApiHandlers>();
  const servers: RealtimeServer[] = [];
  for (const api of apis) {
    const handlers: ApiHandlers = {
      graphql: createGraphQLHandler({ authenticator: api.auth.authenticator, engine: api.engine, log }),
      realtime: createRealtimeServer({ ...realtime, authenticator: api.auth.authenticator, engine: api.engine }),
    };
    servers.push(handlers.realtime);
    byPath.set(new URL(api.endpoint.graphqlUrl).pathname, handlers);
    byPath.set(prefixedApiPath(api.spec.logicalId), handlers);
  }
  return {
    byPath,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

/**
 * Hot reload of every API from one re-synthesis: the engines swap together, or (when any edit does
 * not load) none does. An API the edit adds needs a restart, as its path and keys are wired at start.
 */
export function reloadApis(
  apis: readonly ServedApi[],
  log: (line: string) => void,
): (next: readonly ApiSpec[], build: (api: ApiSpec) => GraphQLEngine) => () => void {
  return (next, build) => {
    const added = next.filter((spec) => !apis.some((api) => api.spec.logicalId === spec.logicalId));
    if (added.length > 0) log(`hot reload: new APIs (${added.map((a) => a.logicalId).join(', ')}) need a restart`);
    const engines = apis.flatMap((api) => {
      const spec = next.find((s) => s.logicalId === api.spec.logicalId);
      return spec ? [{ holder: api.engine, engine: build(spec) }] : [];
    });
    return () => {
      for (const { holder, engine } of engines) holder.current = engine;
    };
  };
}
