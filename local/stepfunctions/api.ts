/**
 * The Step Functions API, locally, as the AWS SDK speaks it: AWS JSON 1.0 over HTTP POST,
 * `X-Amz-Target: AWSStepFunctions.<Operation>`, SigV4 (service `states`). Requests are
 * verified against the local credentials and authorized by the caller's role policy, so a
 * function may only do what its CDK grants say (the developer credentials may do anything).
 *
 * Operations: StartExecution, StartSyncExecution (Express machines), DescribeExecution, GetExecutionHistory, ListExecutions,
 * StopExecution, DescribeStateMachine, ListStateMachines, SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat (authorized on the state machine of the token's execution, as IAM does). Times are epoch seconds, as the
 * protocol sends them.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SigningCredential, verifySigV4Request } from '../auth/sigv4.js';
import { asPortInUse } from '../http/dual-server.js';
import { StepFunctionsApiError } from './errors.js';
import { withoutExecutionData } from './history.js';
import type { TaskAnswerOperation } from './callbacks.js';
import type { ExecutionRecord } from './records.js';
import type { LocalStepFunctions } from './service.js';

export const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 1024 * 1024;

/** A caller the endpoint knows: its secret (to verify the signature) and what its policy allows. */
export interface ApiPrincipal extends SigningCredential {
  readonly arn: string;
  allows(action: string, resource: string): boolean;
}

export interface StepFunctionsApiOptions {
  readonly region: string;
  readonly principal: (accessKeyId: string) => ApiPrincipal | undefined;
}

type Body = Record<string, unknown>;

const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);

function describe(record: ExecutionRecord): Body {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    ...(record.stopDate === null ? {} : { stopDate: seconds(record.stopDate) }),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output === null ? {} : { output: record.output, outputDetails: { included: true } }),
    ...(record.error === null ? {} : { error: record.error }),
    ...(record.cause === null ? {} : { cause: record.cause }),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** Each operation: the IAM action and resource it needs, and what it answers. */
function operations(service: LocalStepFunctions): Record<string, { action: string; resource: (body: Body) => string; run: (body: Body) => Body | Promise<Body> }> {
  return {
    // An Express machine's execution, answered when it ends (what AppSync HTTP data sources on
    // `sync-states.<region>.amazonaws.com` call; serverless-patterns' appsync-stepfunctions-express-cdk).
    StartSyncExecution: {
      action: 'states:StartSyncExecution',
      resource: (b) => String(b['stateMachineArn'] ?? ''),
      run: async (b) => {
        const machine = service.stateMachine(b['stateMachineArn']);
        if (machine.type !== 'EXPRESS') throw new StepFunctionsApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
        const { executionArn } = service.startExecution(b);
        const { redriveCount: _count, redriveStatus: _status, ...ended } = describe(await service.waitForExecution(executionArn));
        return { ...ended, billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 } };
      },
    },
    StartExecution: {
      action: 'states:StartExecution',
      resource: (b) => String(b['stateMachineArn'] ?? ''),
      run: (b) => {
        const { executionArn, startDate } = service.startExecution(b);
        return { executionArn, startDate: seconds(startDate) };
      },
    },
    DescribeExecution: {
      action: 'states:DescribeExecution',
      resource: (b) => String(b['executionArn'] ?? ''),
      run: (b) => describe(service.describeExecution(b['executionArn'])),
    },
    GetExecutionHistory: {
      action: 'states:GetExecutionHistory',
      resource: (b) => String(b['executionArn'] ?? ''),
      run: (b) => {
        const { events, nextToken } = service.getExecutionHistory(b);
        const includeData = b['includeExecutionData'] !== false;
        return {
          events: events.map((e) => ({ ...(includeData ? e : withoutExecutionData(e)), timestamp: e.timestamp / 1000 })),
          ...(nextToken === null ? {} : { nextToken }),
        };
      },
    },
    ListExecutions: {
      action: 'states:ListExecutions',
      resource: (b) => String(b['stateMachineArn'] ?? ''),
      run: (b) => {
        const { executions, nextToken } = service.listExecutions(b);
        return {
          executions: executions.map((e) => ({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: seconds(e.startDate),
            ...(e.stopDate === null ? {} : { stopDate: seconds(e.stopDate) }),
          })),
          ...(nextToken === null ? {} : { nextToken }),
        };
      },
    },
    StopExecution: {
      action: 'states:StopExecution',
      resource: (b) => String(b['executionArn'] ?? ''),
      run: (b) => ({ stopDate: seconds(service.stopExecution(b).stopDate) }),
    },
    DescribeStateMachine: {
      action: 'states:DescribeStateMachine',
      resource: (b) => String(b['stateMachineArn'] ?? ''),
      run: (b) => {
        const machine = service.stateMachine(b['stateMachineArn']);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: machine.definitionString,
          roleArn: machine.roleArn,
          type: machine.type,
          creationDate: seconds(service.creationDate),
          tracingConfiguration: { enabled: machine.tracingEnabled },
        };
      },
    },
    ...Object.fromEntries(
      (['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'] as const satisfies readonly TaskAnswerOperation[]).map((operation) => [
        operation,
        {
          action: `states:${operation}`,
          resource: (b: Body) => {
            try {
              return service.stateMachineOfToken(b['taskToken']);
            } catch {
              // A malformed token: authorized as any token is, then answered InvalidToken.
              return '*';
            }
          },
          run: (b: Body) => service.answerTask(operation, b),
        },
      ]),
    ),
    ListStateMachines: {
      action: 'states:ListStateMachines',
      resource: () => '*',
      run: () => ({
        stateMachines: service.stateMachines.map((m) => ({
          stateMachineArn: m.arn,
          name: m.name,
          type: m.type,
          creationDate: seconds(service.creationDate),
        })),
      }),
    },
  };
}

export interface StepFunctionsEndpoint {
  readonly server: Server;
  /** e.g. http://127.0.0.1:8083: what AWS_ENDPOINT_URL_SFN is set to. */
  readonly url: string;
  /** Requests are answered once a service is attached; before that, 503. */
  attach(service: LocalStepFunctions): void;
  close(): Promise<void>;
}

export async function listenStepFunctionsApi(options: StepFunctionsApiOptions & { readonly port: number }): Promise<StepFunctionsEndpoint> {
  let handlers: ReturnType<typeof operations> | undefined;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      send(response, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === null) return send(response, 413, { __type: 'ValidationException', message: 'Request body too large' });
    if (handlers === undefined) return send(response, 503, { __type: 'ServiceUnavailable', message: 'Step Functions is starting' });
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? handlers[target.slice(TARGET_PREFIX.length)] : undefined;
    if (request.method !== 'POST' || operation === undefined) {
      return send(response, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target || '(none)'}` });
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const verified = await verifySigV4Request({ method: 'POST', path: request.url ?? '/', headers, body }, options.principal, {
      service: 'states',
      region: options.region,
    });
    if (!verified.ok) {
      const unknownKey = verified.reason.includes('unknown access key');
      return send(response, unknownKey ? 400 : 403, {
        __type: unknownKey ? 'UnrecognizedClientException' : 'InvalidSignatureException',
        message: unknownKey ? 'The security token included in the request is invalid.' : verified.reason,
      });
    }

    let input: Body;
    try {
      const parsed: unknown = body === '' ? {} : JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Body;
    } catch {
      return send(response, 400, { __type: 'SerializationException', message: 'The request body is not a JSON object' });
    }

    const resource = operation.resource(input);
    if (!verified.credential.allows(operation.action, resource)) {
      return send(response, 400, {
        __type: 'AccessDeniedException',
        message: `User: ${verified.credential.arn} is not authorized to perform: ${operation.action} on resource: ${resource} because no identity-based policy allows the ${operation.action} action`,
      });
    }
    try {
      send(response, 200, await operation.run(input));
    } catch (error) {
      if (error instanceof StepFunctionsApiError) return send(response, error.statusCode, { __type: error.type, message: error.message });
      throw error;
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(asPortInUse(error, options.port, { service: 'Step Functions' }));
    });
    server.listen(options.port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

  return {
    server,
    url: `http://127.0.0.1:${port}`,
    attach(service) {
      handlers = operations(service);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, body: Body): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(typeof body['__type'] === 'string' ? { 'x-amzn-errortype': body['__type'] } : {}),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}


