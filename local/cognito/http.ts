/**
 * The HTTP side of the local Cognito Identity Provider API, served under `/cognito` on the
 * stack's main port: AWS JSON 1.1 (`X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`),
 * errors as `{"__type","message"}` with `x-amzn-ErrorType`, SigV4 for the admin operations,
 * CORS for browser apps on localhost, and each pool's JWKS at `/cognito/<poolId>/.well-known/jwks.json`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONWebKeySet } from 'jose';
import type { SigningCredential } from '../auth/sigv4.js';
import { checkJsonSignature, parseJsonObject, readBodyUpTo } from '../http/aws-json.js';
import type { Body, PoolContext } from './context.js';
import { CognitoError } from './errors.js';
import { OPERATIONS, sweepSessions } from './service.js';

export const COGNITO_PATH = '/cognito';
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 1024 * 1024;
const EXPOSED = 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date';
const ALLOWED_HEADERS =
  'content-type,x-amz-target,x-amz-user-agent,cache-control,amz-sdk-invocation-id,amz-sdk-request,authorization,x-amz-date,x-amz-security-token,x-amz-content-sha256';

export interface CognitoHttpOptions {
  readonly region: string;
  readonly accountId: string;
  readonly pools: readonly PoolContext[];
  readonly jwks: JSONWebKeySet;
  /** IAM callers of the admin operations (the developer credentials). */
  readonly principal: (accessKeyId: string) => (SigningCredential & { allows(action: string, resource: string): boolean; readonly arn: string }) | undefined;
  readonly log: (line: string) => void;
}

/** Browsers on this machine may call the API (the console on `/`, an app on another localhost port). */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined) return {};
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return {};
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(host)) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED, vary: 'Origin' };
}

function send(request: IncomingMessage, response: ServerResponse, status: number, body: Body): void {
  const text = JSON.stringify(body);
  const type = typeof body['__type'] === 'string' ? body['__type'] : undefined;
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(type === undefined ? {} : { 'x-amzn-errortype': `${type}:`, 'x-amzn-errormessage': String(body['message'] ?? '').replace(/[^\x20-\x7e]/g, '?') }),
    ...corsHeaders(request),
  });
  response.end(text);
}

const fail = (type: string, message: string): Body => ({ __type: type, message });

/** The pool a request is for: by UserPoolId, by ClientId, or by the token's issuer. */
function poolFor(pools: readonly PoolContext[], body: Body): PoolContext | undefined {
  const poolId = body['UserPoolId'];
  if (typeof poolId === 'string') return pools.find((p) => p.pool.userPoolId === poolId) ?? pools[0];
  const clientId = body['ClientId'];
  if (typeof clientId === 'string') return pools.find((p) => p.pool.clients.has(clientId)) ?? pools[0];
  const token = body['AccessToken'];
  if (typeof token === 'string') {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
      const found = pools.find((p) => p.signer.issuer === payload.iss);
      if (found) return found;
    } catch {
      // Not a JWT: the operation says so.
    }
  }
  return pools[0];
}

export function createCognitoHttpHandler(options: CognitoHttpOptions): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { pools, log } = options;

  return async (request, response) => {
    try {
      await handle(request, response);
    } catch (error) {
      log(`cognito: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!response.headersSent) send(request, response, 500, fail('InternalErrorException', 'An internal error occurred.'));
    }
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...corsHeaders(request),
        'access-control-allow-methods': 'POST, GET, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '86400',
      });
      response.end();
      return;
    }
    const jwks = /^\/cognito\/([^/]+)\/\.well-known\/jwks\.json$/.exec(path);
    if (jwks && request.method === 'GET') {
      if (!pools.some((p) => p.pool.userPoolId === jwks[1])) return send(request, response, 404, fail('ResourceNotFoundException', `User pool ${jwks[1]} does not exist.`));
      return send(request, response, 200, options.jwks as unknown as Body);
    }
    if (request.method !== 'POST' || (path !== COGNITO_PATH && path !== `${COGNITO_PATH}/`)) {
      return send(request, response, 404, fail('UnknownOperationException', `POST ${COGNITO_PATH} with X-Amz-Target ${TARGET_PREFIX}<Operation>`));
    }

    const raw = await readBodyUpTo(request, MAX_BODY_BYTES);
    if (raw === null) return send(request, response, 413, fail('SerializationException', 'Request body too large'));
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    // Own keys only: a target such as `constructor` names no operation.
    const operation = name !== undefined && Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
    if (operation === undefined || name === undefined) {
      return send(request, response, 400, fail('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`));
    }

    const body = parseJsonObject(raw);
    if (body === undefined) return send(request, response, 400, fail('SerializationException', 'Start of structure or map found where not expected.'));

    const ctx = poolFor(pools, body);
    if (ctx === undefined) return send(request, response, 400, fail('ResourceNotFoundException', 'The template has no user pool.'));
    if (operation.iam) {
      const denied = await checkSignature(request, raw, `cognito-idp:${name}`, ctx);
      if (denied) return send(request, response, denied.status, denied.body);
    }
    sweepSessions(ctx);
    try {
      send(request, response, 200, await operation.run(ctx, body));
    } catch (error) {
      if (error instanceof CognitoError) return send(request, response, error.statusCode, fail(error.type, error.message));
      throw error;
    }
  }

  async function checkSignature(request: IncomingMessage, raw: string, action: string, ctx: PoolContext): Promise<{ status: number; body: Body } | undefined> {
    if (request.headers.authorization === undefined) return { status: 400, body: fail('MissingAuthenticationTokenException', 'Missing Authentication Token') };
    const verified = await checkJsonSignature(request, raw, options.principal, { service: 'cognito-idp', region: options.region });
    if (!verified.ok) return { status: verified.status, body: fail(verified.type, verified.message) };
    const resource = `arn:aws:cognito-idp:${options.region}:${options.accountId}:userpool/${ctx.pool.userPoolId}`;
    if (!verified.credential.allows(action, resource)) {
      return {
        status: 400,
        body: fail('AccessDeniedException', `User: ${verified.credential.arn} is not authorized to perform: ${action} on resource: ${resource}`),
      };
    }
    return undefined;
  }
}
