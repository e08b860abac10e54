import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { randomUUID } from 'node:crypto';
import { FieldError } from '../errors.js';
import type { DataSourceDeps, DataSourceOutcome, DataSourceRunner } from './types.js';

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

/**
 * An AWS service's own endpoint (`https://sns.us-east-1.amazonaws.com`): AWS documents HTTP data
 * sources signed with SigV4 as the way to call AWS services from a resolver ("Using HTTP
 * resolvers to call AWS services"), and public samples do so for SNS, SQS and EventBridge. Here
 * the request goes to the local service instead, as the SDK's endpoint variables send
 * functions' calls (`DataSourceDeps.awsServiceEndpoints`); EventBridge's PutEvents is put on
 * the local buses directly. The service is the host's first label.
 */
function awsServiceOf(endpoint: URL): string | undefined {
  return /^([a-z0-9-]+)\.[a-z0-9-]+\.amazonaws\.com$/.exec(endpoint.hostname)?.[1];
}

/** The AWS services whose endpoints the local stack serves (local/stack.ts maps each to its endpoint). */
export const SERVED_AWS_SERVICES: readonly string[] = ['events', 'sns', 'sqs', 'states', 'sync-states', 'dynamodb'];

/**
 * The AWS service an HTTP data source's `Endpoint` names, as the template states it: a string,
 * or CDK's `Fn::Join` of the service's host around the region (`https://sns.${region}.amazonaws.com`).
 * For the start-up table of what is not run, before any value is resolved.
 */
export function awsServiceOfEndpoint(endpoint: unknown): string | undefined {
  const join = (endpoint as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  const text = typeof endpoint === 'string' ? endpoint : join ? join[1].map((part) => (typeof part === 'string' ? part : 'region')).join(join[0]) : undefined;
  if (text === undefined) return undefined;
  try {
    return awsServiceOf(new URL(text));
  } catch {
    return undefined;
  }
}

interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  readonly Resources?: unknown;
  readonly Time?: unknown;
}

/**
 * `AWSEvents.PutEvents` (AWS JSON 1.1) as EventBridge answers it: `{FailedEntryCount, Entries:
 * [{EventId}]}`, an entry without Source, DetailType or Detail failing on its own as on AWS.
 */
async function putEventsLocally(name: string, request: HttpRequest, putEvents: NonNullable<DataSourceDeps['putEvents']>): Promise<DataSourceOutcome> {
  const headers = Object.fromEntries(Object.entries(request.params?.headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)]));
  const reply = (statusCode: number, body: unknown): DataSourceOutcome => ({
    ok: true,
    result: { statusCode, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(body) },
  });
  if (headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
    return reply(400, { __type: 'UnknownOperationException', message: `${name}: the local EventBridge serves AWSEvents.PutEvents, not ${headers['x-amz-target'] ?? '(no X-Amz-Target)'}` });
  }
  const raw = request.params?.body;
  let body: { Entries?: PutEventsEntry[] };
  try {
    body = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? {}) as { Entries?: PutEventsEntry[] };
  } catch {
    return reply(400, { __type: 'SerializationException', message: 'The request body is not JSON' });
  }
  const entries = Array.isArray(body.Entries) ? body.Entries : [];
  if (entries.length === 0 || entries.length > 10) return reply(400, { __type: 'ValidationException', message: 'PutEvents takes 1 to 10 entries' });
  const results = [];
  for (const entry of entries) {
    if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' });
      continue;
    }
    try {
      JSON.parse(entry.Detail);
    } catch {
      results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
      continue;
    }
    const { eventIds } = await putEvents(entry.EventBusName ?? 'default', [
      {
        source: entry.Source,
        detailType: entry.DetailType,
        detail: entry.Detail,
        ...(Array.isArray(entry.Resources) ? { resources: entry.Resources.map(String) } : {}),
        ...(typeof entry.Time === 'string' ? { time: entry.Time } : {}),
      },
    ]);
    results.push({ EventId: eventIds[0] });
  }
  return reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
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
      const endpoint = new URL(String(resolve(config['Endpoint'])));
      const service = awsServiceOf(endpoint);
      if (service === 'events' && deps.putEvents) return putEventsLocally(name, request, deps.putEvents);
      const local = service === undefined ? undefined : deps.awsServiceEndpoints?.[service];
      if (service !== undefined && local === undefined) {
        return { ok: false, error: { type: 'HttpError', message: `${name}: ${endpoint.host} is an AWS service the local stack does not serve` } };
      }
      // The local service's endpoint, the request's path kept (SQS's /<account>/<queue>).
      const base = local === undefined ? endpoint : new URL(`${local.replace(/\/$/, '')}${endpoint.pathname}`);
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
