import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionError, type LocalFunction } from '../../../local/lambda/local-function.js';
import { type FunctionFixture, functionFromSource } from '../../support/local-function.js';

/**
 * A function's execution environment (a worker thread) that dies is replaced: the next
 * invocation runs in a fresh one, as on Lambda.
 */
describe('a function whose environment dies', () => {
  let fixture: FunctionFixture;
  let fn: LocalFunction;

  beforeAll(async () => {
    // Counts invocations per environment; `exitNow` ends it mid-invocation.
    fixture = await functionFromSource(
      'fragile',
      'let served = 0;\n' +
        'export const handler = async (event) => {\n' +
        '  served += 1;\n' +
        '  if (event.exitNow) process.exit(3);\n' +
        '  return served;\n' +
        '};\n',
    );
    fn = fixture.fn;
  });

  afterAll(() => fixture.dispose());

  it('given an environment that exits during an invocation, then that invocation fails with Runtime.ExitError and the next runs in a fresh environment', async () => {
    const failure = await fn.invoke({ exitNow: true }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(FunctionError);
    expect((failure as FunctionError).payload).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with code 3' });
    await expect(fn.invoke({})).resolves.toBe(1);
  });
});
