/**
 * Injected DynamoDB throttling (see shared/faults.ts), as SDK middleware placed INSIDE the retry
 * middleware: each attempt passes through it, so the SDK's own retry strategy sees a real
 * ProvisionedThroughputExceededException and backs off and retries as it would on AWS.
 * Installed only when PIPELINE_FAULTS configures a throttle rule.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Middleware = Parameters<DynamoDBClient['middlewareStack']['addRelativeTo']>[0];
import type { Faults } from './rules.js';

export const FAULT_MIDDLEWARE_NAME = 'injectedThrottlingMiddleware';

/** The attempt number the retry middleware writes into `amz-sdk-request: attempt=N; max=M`. */
function attemptOf(request: unknown): number {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const match = /attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '');
  return match ? Number(match[1]) : 1;
}

export class InjectedThrottlingError extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  readonly $retryable = { throttling: true };
  constructor(commandName: string, attempt: number) {
    super(`Rate of requests exceeds the allowed throughput (injected into ${commandName}, attempt ${attempt})`);
    this.name = 'ProvisionedThroughputExceededException';
  }
}

export function installFaultMiddleware(
  client: DynamoDBClient,
  faults: Faults,
  onInjected: (commandName: string, attempt: number) => void = () => undefined,
): void {
  if (!faults.active) return;
  type Args = { readonly request: unknown };
  const middleware =
    (next: (args: Args) => Promise<unknown>, context: { readonly commandName?: string }) =>
    async (args: Args): Promise<unknown> => {
      const commandName = String(context.commandName ?? '');
      const attempt = attemptOf(args.request);
      if (faults.throttlesDynamoDb(commandName, attempt)) {
        onInjected(commandName, attempt);
        throw new InjectedThrottlingError(commandName, attempt);
      }
      return next(args);
    };
  // The stack's middleware type is a union over every step; this one is a finalize-step middleware.
  client.middlewareStack.addRelativeTo(middleware as unknown as Middleware, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: FAULT_MIDDLEWARE_NAME,
    override: true,
  });
}
