import { FieldError } from '../errors.js';
import { functionFailure } from '../invoker.js';
import type { DataSourceDeps, DataSourceRunner } from './types.js';

/**
 * AWS_LAMBDA: `{operation: 'Invoke' | 'BatchInvoke', payload, invocationType?}`. A function error becomes
 * `ctx.error` of type `Lambda:Unhandled`, the result null. BatchInvoke sends the payload as a
 * batch of one (the function gets an array, and its first element is the result): batching of
 * several fields into one call is done for direct Lambda resolvers (batch.ts).
 */
export function lambdaDataSource(name: string, functionLogicalId: string, deps: DataSourceDeps): DataSourceRunner {
  return {
    async run(request) {
      const { operation = 'Invoke', payload = null, invocationType = 'RequestResponse' } = (request ?? {}) as { operation?: string; payload?: unknown; invocationType?: string };
      if (operation !== 'Invoke' && operation !== 'BatchInvoke') {
        throw new FieldError('MappingTemplate', `${name}: Lambda data sources support Invoke and BatchInvoke, not ${operation}`);
      }
      if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
        throw new FieldError('MappingTemplate', `${name}: invocationType is RequestResponse or Event, not ${String(invocationType)}`);
      }
      const event = operation === 'BatchInvoke' ? [payload] : payload;
      if (invocationType === 'Event') {
        // Invoked asynchronously, as Lambda's Event invocation type: the field does not wait for
        // the function, whose result and errors never reach it (ctx.result is null); a failure is
        // logged. serverless-patterns' appsync-lambda-bedrock-async-stream-subscription-cdk starts
        // a long stream this way and answers at once.
        void deps.invokeFunction(functionLogicalId, event).catch((error: unknown) => {
          const failure = functionFailure(error);
          deps.log?.(`${name}: the asynchronous (Event) invocation of ${functionLogicalId} failed: ${failure ? `${failure.errorType}: ${failure.errorMessage}` : String(error)}`);
        });
        return { ok: true, result: null };
      }
      try {
        const result = await deps.invokeFunction(functionLogicalId, event);
        return { ok: true, result: operation === 'BatchInvoke' ? ((result as unknown[] | null)?.[0] ?? null) : result };
      } catch (error) {
        const failure = functionFailure(error);
        if (!failure) throw error;
        return { ok: false, error: { message: failure.errorMessage, type: 'Lambda:Unhandled' } };
      }
    },
  };
}
