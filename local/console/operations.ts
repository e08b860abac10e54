/**
 * The console's local-only API under `/_local/`: the dead-letter queues (counts, redrive) and the
 * Step Functions executions (history). The local stack's own SQS and Step Functions APIs do the
 * work, called with the developer's credentials; the browser reaches them through here so it
 * needs no CORS on those endpoints and no AWS SDK in its bundle.
 *
 * Every request is authenticated: `/_local/credentials` hands the developer credentials only to
 * a same-origin request that names the stack by its loopback name (a page of another origin
 * cannot read it, and a DNS-rebound name is refused); everything else must be SigV4-signed with
 * those credentials (service `local-console`), verified as the stack verifies AppSync's IAM mode.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SFNClient, GetExecutionHistoryCommand, ListExecutionsCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { verifySigV4Request } from '../auth/sigv4.js';
import { deadLetterQueues, redrive } from '../../scripts/dlq.js';

export const LOCAL_CONSOLE_SERVICE = 'local-console';
const MAX_BODY = 16 * 1024;

export interface LocalOperationsOptions {
  readonly region: string;
  readonly developer: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly messagingEndpoint: string;
  readonly stepFunctionsEndpoint: string;
}

export interface LocalOperations {
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>;
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
};

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** A same-origin request to the stack by its loopback name (what a page of the console sends). */
function isOwnOrigin(request: IncomingMessage): boolean {
  const host = request.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host)) return false;
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return origin === undefined || new URL(origin).host === host;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createLocalOperations(options: LocalOperationsOptions): LocalOperations {
  const credentials = { accessKeyId: options.developer.accessKeyId, secretAccessKey: options.developer.secretAccessKey };
  // Copies: the SDK marks the credentials object it is given (`$source`), which is not for the browser.
  const sqs = new SQSClient({ endpoint: options.messagingEndpoint, region: options.region, credentials: { ...credentials } });
  const sfn = new SFNClient({ endpoint: options.stepFunctionsEndpoint, region: options.region, credentials: { ...credentials } });

  const routes: Record<string, (body: Record<string, unknown>, query: URLSearchParams) => Promise<unknown>> = {
    'GET /_local/dead-letter-queues': async () => ({ queues: await deadLetterQueues(sqs) }),
    'POST /_local/dead-letter-queues/redrive': async (body) => ({
      tasks: await redrive(sqs, typeof body['queue'] === 'string' ? body['queue'] : undefined),
    }),
    'GET /_local/executions': async () => {
      const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
      const machines = await Promise.all(
        stateMachines.map(async (machine) => {
          const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, maxResults: 50 }));
          return {
            name: machine.name,
            arn: machine.stateMachineArn,
            executions: executions.map((e) => ({
              arn: e.executionArn,
              name: e.name,
              status: e.status,
              startDate: e.startDate?.toISOString(),
              stopDate: e.stopDate?.toISOString(),
            })),
          };
        }),
      );
      return { stateMachines: machines };
    },
    'GET /_local/executions/history': async (_body, query) => {
      const executionArn = query.get('arn') ?? '';
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      return {
        events: events.map((e) => ({
          id: e.id,
          type: e.type,
          timestamp: e.timestamp?.toISOString(),
          name: e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? e.taskScheduledEventDetails?.resource,
        })),
      };
    },
  };

  return {
    async handle(request, response, path) {
      if (path === '/_local/credentials') {
        if (request.method !== 'GET' || !isOwnOrigin(request)) return json(response, 403, { message: 'Only the console, on its own origin, reads this.' });
        return json(response, 200, { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
      }
      const route = routes[`${request.method ?? 'GET'} ${path}`];
      if (!route) return json(response, 404, { message: `No ${request.method} ${path}` });
      const body = await bodyOf(request);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const verified = await verifySigV4Request(
        { method: request.method ?? 'GET', path: request.url ?? path, headers, body },
        (id) => (id === credentials.accessKeyId ? credentials : undefined),
        { service: LOCAL_CONSOLE_SERVICE, region: options.region },
      );
      if (!verified.ok) return json(response, 403, { message: verified.reason });
      try {
        return json(response, 200, await route(body ? (JSON.parse(body) as Record<string, unknown>) : {}, new URL(request.url ?? path, 'http://local').searchParams));
      } catch (error) {
        return json(response, 502, { message: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}
