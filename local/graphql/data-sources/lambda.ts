import { FieldError } from '../errors.js';
import { functionFailure } from '../invoker.js';
import type { DataSourceDeps, DataSourceRunner } from './types.js';

/**
 * AWS_LAMBDA: `{operation: 'Invoke' | 'BatchInvoke', payload}`. A function error becomes
 * `ctx.error` of type `Lambda:Unhandled`, the result null. BatchInvoke sends the payload as a
 * batch of one (the function gets an array, and its first element is the result): batching of
 * several fields into one call is done for direct Lambda resolvers (batch.ts).
 */
export function lambdaDataSource(name: string, functionLogicalId: string, deps: DataSourceDeps): DataSourceRunner {
  return {
    async run(request) {
      const { operation = 'Invoke', payload = null } = (request ?? {}) as { operation?: string; payload?: unknown };
      if (operation !== 'Invoke' && operation !== 'BatchInvoke') {
        throw new FieldError('MappingTemplate', `${name}: Lambda data sources support Invoke and BatchInvoke, not ${operation}`);
      }
      try {
        const result = await deps.invokeFunction(functionLogicalId, operation === 'BatchInvoke' ? [payload] : payload);
        return { ok: true, result: operation === 'BatchInvoke' ? ((result as unknown[] | null)?.[0] ?? null) : result };
      } catch (error) {
        const failure = functionFailure(error);
        if (!failure) throw error;
        return { ok: false, error: { message: failure.errorMessage, type: 'Lambda:Unhandled' } };
      }
    },
  };
}
