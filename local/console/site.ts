/**
 * The web console as the local stack serves it on its main port (HTTP and HTTPS):
 * - `/`, `/files`, `/orders`, `/explorer`, `/local`: the app (index.html; it routes itself);
 * - `/assets/*`: the built files, gzipped for a browser that accepts it;
 * - `/amplify_outputs.json`: the stack's own client configuration, the console's only one;
 * - a browser's GET on `/graphql` (`Accept: text/html`): the app, which opens the explorer there;
 * - `/_local/*`: the local operations API (local/console/operations.ts).
 * The build runs in the background from the moment the stack starts (local/console/build.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AmplifyOutputs } from '../outputs.js';
import { type ConsoleBuild, buildConsole } from './build.js';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.js';
import { type LocalOperations, createLocalOperations, type LocalOperationsOptions } from './operations.js';

const APP_PATHS = new Set(['/', '/files', '/orders', '/explorer', '/local']);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export interface ConsoleSiteConfig extends LocalOperationsOptions {
  readonly outputs: AmplifyOutputs;
}

export interface ConsoleSite {
  /** Answers the request when it is the console's; false leaves it to the stack's other routes. */
  serve(request: IncomingMessage, response: ServerResponse): boolean;
  /** What the console needs from the started stack; until then its pages answer 503. */
  configure(config: ConsoleSiteConfig): void;
  /** The build: begun at creation when eager, else at the first request for the console. */
  build(): Promise<ConsoleBuild>;
}

const wantsHtml = (request: IncomingMessage) => request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

/**
 * `eager`: `npm start` builds at once, in parallel with the rest of the start, so the console is
 * ready when opened; a test's stack builds only if a test opens the console (the e2e and
 * conformance stacks never do).
 */
export function createConsoleSite(options: { projectDir: string; log: (line: string) => void; eager: boolean }): ConsoleSite {
  let building: Promise<ConsoleBuild> | undefined;
  const build = () => {
    if (!building) {
      const started = Date.now();
      building = buildConsole(options.projectDir);
      building.then(
        (result) => result.built && options.log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s`),
        (error: unknown) => options.log(`console: the build failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    return building;
  };
  if (options.eager) void build();
  const files = new Map<string, Promise<{ body: Buffer; gzipped: Buffer } | undefined>>();
  let config: ConsoleSiteConfig | undefined;
  let operations: LocalOperations | undefined;

  const file = (path: string) => {
    let cached = files.get(path);
    if (!cached) {
      cached = build().then(async ({ dir }) => {
        const full = normalize(join(dir, path));
        if (!full.startsWith(dir)) return undefined;
        const body = await readFile(full).catch(() => undefined);
        return body ? { body, gzipped: gzipSync(body) } : undefined;
      });
      files.set(path, cached);
    }
    return cached;
  };

  const send = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const found = await file(path);
    if (!found) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found\n');
      return;
    }
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const body = gzip ? found.gzipped : found.body;
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': body.length,
      // Assets carry their content's hash in their name; the page itself is always asked again.
      'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const fail = (response: ServerResponse, error: unknown) => {
    if (response.headersSent) return void response.destroy();
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`The console is unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
  };

  return {
    build,
    configure(next) {
      config = next;
      operations = createLocalOperations(next);
    },
    serve(request, response) {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const isApp = APP_PATHS.has(path) || (path === '/graphql' && wantsHtml(request));
      const isAsset = path.startsWith('/assets/');
      if (path.startsWith('/_local/')) {
        if (!operations) unavailable(response);
        else void operations.handle(request, response, path).catch((error: unknown) => fail(response, error));
        return true;
      }
      if (path === '/amplify_outputs.json') {
        if (!config) unavailable(response);
        else {
          response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
          response.end(JSON.stringify(config.outputs));
        }
        return true;
      }
      if (!isApp && !isAsset) return false;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
        response.end('The console is read with GET.\n');
        return true;
      }
      void send(request, response, isApp ? '/index.html' : path).catch((error: unknown) => fail(response, error));
      return true;
    },
  };
}

function unavailable(response: ServerResponse): void {
  response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
  response.end('The stack is still starting.\n');
}
