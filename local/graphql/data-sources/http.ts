import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { FieldError } from '../errors.js';
import type { DataSourceDeps, DataSourceRunner } from './types.js';

/**
 * HTTP: the request AppSync sends to the data source's endpoint (`{method, resourcePath,
 * params: {query, headers, body}}`), and its response as `{statusCode, headers, body}`. With
 * `AuthorizationConfig.AuthorizationType` AWS_IAM the request is signed with Signature V4 for
 * the configured region and service, as AppSync signs it with the data source's role.
 */
interface HttpRequest {
  readonly method?: string;
  readonly resourcePath?: string;
  readonly params?: {
    readonly query?: Readonly<Record<string, unknown>>;
    readonly headers?: Readonly<Record<string, unknown>>;
    readonly body?: unknown;
  };
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

export function httpDataSource(name: string, properties: Readonly<Record<string, unknown>>, deps: DataSourceDeps): DataSourceRunner {
  const config = (properties['HttpConfig'] ?? {}) as Record<string, unknown>;
  const resolve = deps.resolve ?? ((value: unknown) => value);
  const auth = config['AuthorizationConfig'] as { AuthorizationType?: string; AwsIamConfig?: { SigningRegion?: unknown; SigningServiceName?: unknown } } | undefined;
  return {
    async run(raw) {
      const request = (raw ?? {}) as HttpRequest;
      const method = String(request.method ?? 'GET').toUpperCase();
      if (!METHODS.has(method)) throw new FieldError('MappingTemplate', `${name}: unsupported HTTP method ${method}`);
      const base = new URL(String(resolve(config['Endpoint'])));
      const path = `${base.pathname.replace(/\/$/, '')}${request.resourcePath ?? ''}` || '/';
      const query: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.params?.query ?? {})) {
        if (value !== null && value !== undefined) query[key] = String(value);
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.params?.headers ?? {})) {
        if (value !== null && value !== undefined) headers[key] = String(value);
      }
      const body = request.params?.body;
      const bodyText = body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      let signed = headers;
      if (auth?.AuthorizationType === 'AWS_IAM') {
        if (!deps.signingCredentials) throw new FieldError('MappingTemplate', `${name}: no credentials to sign with`);
        const signer = new SignatureV4({
          credentials: deps.signingCredentials,
          region: String(resolve(auth.AwsIamConfig?.SigningRegion ?? 'us-east-1')),
          service: String(resolve(auth.AwsIamConfig?.SigningServiceName ?? 'execute-api')),
          sha256: Sha256,
        });
        const result = await signer.sign({
          method,
          protocol: base.protocol,
          hostname: base.hostname,
          ...(base.port ? { port: Number(base.port) } : {}),
          path,
          query,
          headers: { ...headers, host: base.host },
          ...(bodyText === undefined ? {} : { body: bodyText }),
        });
        signed = result.headers;
      }
      const url = new URL(path, base);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      let response: Response;
      try {
        response = await fetch(url, { method, headers: signed, ...(bodyText === undefined ? {} : { body: bodyText }) });
      } catch (error) {
        return { ok: false, error: { type: 'HttpError', message: `${name}: ${(error as Error).message}` } };
      }
      return {
        ok: true,
        result: {
          statusCode: response.status,
          headers: Object.fromEntries(response.headers),
          body: await response.text(),
        },
      };
    },
  };
}
