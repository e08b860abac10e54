/**
 * The main port's routes: the Cognito API, the console, GraphQL over HTTP and the real-time
 * WebSocket endpoint. The port listens before the parts behind it have started (a port in use
 * fails at once, and its number goes into every function's environment), so the routes are set
 * once the parts are there; until then nothing is answered.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { UpgradeListener } from './dual-server.js';
import { REALTIME_PATHS } from '../realtime/index.js';

export interface MainRoutes {
  readonly cognito: { handles(url: string): boolean; handle(request: IncomingMessage, response: ServerResponse): Promise<void> };
  readonly console: { serve(request: IncomingMessage, response: ServerResponse): boolean };
  readonly graphql: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  readonly realtime: { handleUpgrade: UpgradeListener };
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
        if (REALTIME_PATHS.includes(path)) routes.realtime.handleUpgrade(req, socket, head);
        else socket.destroy();
      };
    },
  };
}

function requestRoutes({ cognito, console: consoleSite, graphql, log }: MainRoutes): RequestListener {
  return (request, response) => {
    if (cognito.handles(request.url ?? '/')) return void cognito.handle(request, response);
    if (consoleSite.serve(request, response)) return;
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/graphql') {
      void graphql(request, response).catch((error: unknown) => {
        log(`graphql: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] }));
        }
      });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('Not found. GraphQL is at /graphql, real time at /graphql/realtime.\n');
  };
}
