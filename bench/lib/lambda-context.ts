/** A Lambda context and handler loader for targets that call a handler in their own process. */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export async function loadHandler(bundlePath: string, handlerName: string): Promise<Handler> {
  const module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  const handler = module[handlerName];
  if (typeof handler !== 'function') throw new Error(`${bundlePath} has no export ${handlerName}`);
  return handler as Handler;
}

export function lambdaContext(functionName: string): Record<string, unknown> {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `bench/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
