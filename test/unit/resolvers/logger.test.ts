import { describe, expect, it } from 'vitest';
import { correlationIdOf } from '../../../resolvers/shared/logger.js';
import { appSyncEvent, lambdaContext } from './helpers/factories.js';

describe('correlationIdOf', () => {
  it("given AppSync's request id header, when correlating, then it wins over the Lambda request id", () => {
    const event = appSyncEvent('Query', 'files', {}, null, { 'X-Amzn-RequestId': 'appsync-1' });
    expect(correlationIdOf(event, lambdaContext())).toBe('appsync-1');
  });

  it('given no such header, when correlating, then the Lambda request id', () => {
    const event = appSyncEvent('Query', 'files', {}, null, {});
    expect(correlationIdOf(event, lambdaContext({ awsRequestId: 'lambda-9' }))).toBe('lambda-9');
  });
});
