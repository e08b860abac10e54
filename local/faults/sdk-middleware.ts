/**
 * Faults inside the AWS SDK calls of a hosted function: middleware on each SDK client's own
 * middleware stack, which the worker hosting the function installs on the clients the handler
 * creates (./host.ts), without the handler knowing.
 *
 * - Throttling sits inside the retry middleware, just before the request would be sent, and
 *   answers it with what DynamoDB answers a throttled request: HTTP 400 with
 *   ProvisionedThroughputExceededException. The SDK's own deserializer makes the exception of it
 *   and its own retry strategy backs off and retries, as on AWS.
 * - A step's fault sits before everything (the initialize step), on the call a step's work
 *   begins with: held for a delay, then failed with InjectedFault, once, never retried by the SDK.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

type Next = (args: MiddlewareArgs) => Promise<unknown>;
interface MiddlewareArgs {
  readonly input: Record<string, unknown>;
  readonly request?: unknown;
}
interface MiddlewareContext {
  readonly commandName?: string;
}
type Middleware = (next: Next, context: MiddlewareContext) => Next;

interface MiddlewareStack {
  add(middleware: Middleware, options: { step: 'initialize'; priority: 'high'; name: string; override: true }): void;
  addRelativeTo(middleware: Middleware, options: { relation: 'after'; toMiddleware: string; name: string; override: true }): void;
}

/** What the middleware needs of an AWS SDK v3 client. */
export interface SdkClient {
  readonly config: { readonly serviceId?: string };
  readonly middlewareStack: MiddlewareStack;
}

type Send = (this: SdkClient, ...args: unknown[]) => unknown;

/** Where a wrapped `send` finds what to run on a client's first call (one host per worker; the last one set wins). */
const ON_FIRST_SEND = Symbol.for('local-faults.onFirstSend');
type SendOwner = { send: Send; [ON_FIRST_SEND]?: (client: SdkClient) => void };

/**
 * Calls `install` once for each middleware stack of the clients of `packages` (their client
 * classes, as the function's bundle resolves them: `require` is anchored at the bundle), before
 * the client's first call. It wraps the `send` the AWS SDK's clients inherit from the Smithy
 * client, once per copy of it: every client of that copy is covered, those created before too.
 * A DynamoDBDocumentClient shares its client's stack: one install. A package the bundle does not
 * resolve (a function that does not use it) is passed over.
 */
export function onEveryClient(require: NodeJS.Require, packages: readonly { readonly name: string; readonly client: string }[], install: (client: SdkClient) => void): void {
  const installed = new WeakSet<object>();
  const onFirstSend = (client: SdkClient) => {
    if (installed.has(client.middlewareStack)) return;
    installed.add(client.middlewareStack);
    install(client);
  };
  for (const pkg of packages) {
    let clientClass: { prototype: object } | undefined;
    try {
      clientClass = (require(pkg.name) as Record<string, { prototype: object } | undefined>)[pkg.client];
    } catch {
      continue;
    }
    const owner = ownerOfSend(clientClass?.prototype) as SendOwner | undefined;
    if (owner === undefined) continue;
    if (owner[ON_FIRST_SEND] === undefined) {
      const send = owner.send;
      owner.send = function (this: SdkClient, ...args: unknown[]) {
        owner[ON_FIRST_SEND]?.(this);
        return send.apply(this, args);
      };
    }
    owner[ON_FIRST_SEND] = onFirstSend;
  }
}

/** The prototype up the chain that defines `send` (the Smithy client's). */
function ownerOfSend(prototype: object | undefined): object | undefined {
  for (let p = prototype; p !== undefined && p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | undefined) {
    if (Object.hasOwn(p, 'send')) return p;
  }
  return undefined;
}

/** The attempt number the retry middleware writes into `amz-sdk-request: attempt=N; max=M`. */
function attemptOf(request: unknown): number {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const match = /attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '');
  return match ? Number(match[1]) : 1;
}

/**
 * Answers the DynamoDB calls `throttles` picks (by command and attempt) as DynamoDB answers a
 * throttled request, without sending them; `onThrottled` hears of each.
 */
export function installThrottling(
  client: SdkClient,
  throttles: (commandName: string, attempt: number) => boolean,
  onThrottled: (commandName: string, attempt: number) => void,
): void {
  const middleware: Middleware = (next, context) => async (args) => {
    const commandName = String(context.commandName ?? '');
    const attempt = attemptOf(args.request);
    if (!throttles(commandName, attempt)) return next(args);
    onThrottled(commandName, attempt);
    const body = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: `The level of configured provisioned throughput for the table was exceeded (injected into ${commandName}, attempt ${attempt})`,
    });
    return {
      response: {
        statusCode: 400,
        reason: 'Bad Request',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(Buffer.byteLength(body)),
          'x-amzn-requestid': randomUUID(),
          'x-amzn-errortype': 'ProvisionedThroughputExceededException',
        },
        body: Readable.from([Buffer.from(body)]),
      },
    };
  };
  // Inside the deserializer (which reads the answer), itself inside the retry middleware.
  client.middlewareStack.addRelativeTo(middleware, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'localFaultThrottling', override: true });
}

/**
 * Runs `before` ahead of each call of `commandName` on this client, with the call's input: it
 * may wait (a slow step) or throw (a failed step), and the call then fails with its error.
 */
export function installBeforeCall(client: SdkClient, commandName: string, before: (input: Record<string, unknown>) => Promise<void>): void {
  const middleware: Middleware = (next, context) => async (args) => {
    if (context.commandName === commandName) await before(args.input);
    return next(args);
  };
  client.middlewareStack.add(middleware, { step: 'initialize', priority: 'high', name: 'localFaultStep', override: true });
}
