/** Helpers of the local Step Functions service: the definition as the interpreter runs it, and API paging. */
import { type AslDefinition, allStates } from './definitions.js';
import { StepFunctionsApiError, invalidToken } from './errors.js';
import { NO_TASK_TIMEOUT_SECONDS } from './tasks.js';

/**
 * The definition as the interpreter runs it: a Task without a timeout gets the longest one a
 * timer allows (the interpreter would otherwise apply 60 s; AWS applies none).
 */
export function localDefinition(definition: AslDefinition): AslDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  for (const [, state] of allStates(copy)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      (state as { TimeoutSeconds?: number }).TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
    }
  }
  return copy;
}

/** Offset paging with an opaque token; `maxResults` 1..1000, default 100 (0 means the default). */
export function page<T>(items: readonly T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken: string | null } {
  const size = maxResults === undefined || maxResults === null || maxResults === 0 ? 100 : Number(maxResults);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  let start = 0;
  if (nextToken !== undefined && nextToken !== null) {
    const text = typeof nextToken === 'string' && /^[A-Za-z0-9_-]+$/.test(nextToken) ? Buffer.from(nextToken, 'base64url').toString('utf8') : '';
    if (!/^\d+$/.test(text)) throw invalidToken(`Invalid Token: '${String(nextToken)}'`);
    start = Number(text);
  }
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : null;
  return { items: slice, nextToken: next };
}
