/**
 * The main port's routes: the Cognito API, the console, and each GraphQL API over HTTP and its
 * real-time WebSocket endpoint (their paths: local/apis.ts). The port listens before the parts behind it have started (a port in use
 * fails at once, and its number goes into every function's environment), so the routes are set
 * once the parts are there; until then nothing is answered.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { UpgradeListener } from './dual-server.js';
import type { ApiHandlers } from '../apis.js';
import { graphqlPathOf } from '../realtime/index.js';

export interface MainRoutes {
  readonly cognito: { handles(url: string): boolean; handle(request: IncomingMessage, response: ServerResponse): Promise<void> };
  readonly console: { serve(request: IncomingMessage, response: ServerResponse): boolean };
  /** By GraphQL path; the real-time endpoint is that path, or it plus `/realtime`. */
  readonly apis: ReadonlyMap<string, Pick<ApiHandlers, 'graphql'> & { readonly realtime: { handleUpgrade: UpgradeListener } }>;
  readonly log: (line: string) => void;
}

/** The listeners to give the server now, and `route` to call when the parts have started. */
export function lateRoutes(): { readonly request: RequestListener; readonly upgrade: UpgradeListener; route(routes: MainRoutes): void } {
  let request: RequestListener = () => undefined;
  let upgrade: UpgradeListener = () => undefined;
  return {
    request: (req, response) => request(req, response),
    upgrade: (req, socket, head) => upgrade(req, socket, head),
    route: (routes) => {
      request = requestRoutes(routes);
      upgrade = (req, socket, head) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        // A path that names no API's endpoint falls back to `/graphql`: only an exact one is served.
        const graphqlPath = graphqlPathOf(path);
        const api = path === graphqlPath || path === `${graphqlPath}/realtime` ? routes.apis.get(graphqlPath) : undefined;
        if (api) api.realtime.handleUpgrade(req, socket, head);
        else socket.destroy();
      };
    },
  };
}

function requestRoutes({ cognito, console: consoleSite, apis, log }: MainRoutes): RequestListener {
  // Each API by the first path it answers on (its URL); its `/apis/<logical id>` alias goes unsaid.
  const firstPaths = new Map([...apis].reverse().map(([path, api]) => [api, path]));
  const where = [...firstPaths.values()].reverse().map((path) => `${path}, real time at ${path}/realtime`).join('; ');
  return (request, response) => {
    if (cognito.handles(request.url ?? '/')) return void cognito.handle(request, response);
    if (consoleSite.serve(request, response)) return;
    const api = apis.get((request.url ?? '/').split('?')[0] ?? '/');
    if (api) {
      void api.graphql(request, response).catch((error: unknown) => {
        log(`graphql: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] }));
        }
      });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end(`Not found. GraphQL is at ${where}.\n`);
  };
}
