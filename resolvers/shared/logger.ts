/** Powertools Logger (structured JSON) and the correlation id rule used by every handler. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export type { Logger };

/** POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL still apply (the Logger reads them). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/**
 * AppSync's request id (header `x-amzn-requestid`) when the event carries one, so the logs of
 * every resolver of one GraphQL request share it; otherwise the Lambda request id.
 */
export function correlationIdOf(event: unknown, context: Pick<Context, 'awsRequestId'>): string {
  const headers = (event as { request?: { headers?: unknown } } | null)?.request?.headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === 'x-amzn-requestid' && typeof value === 'string' && value !== '') {
        return value;
      }
    }
  }
  return context.awsRequestId;
}
