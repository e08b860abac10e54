import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionError, type LocalFunction, heapLimits } from '../../../local/lambda/local-function.js';
import { type FunctionFixture, functionFromSource } from '../../support/local-function.js';

/**
 * A function's environment gets the heap Lambda's Node.js bootstrap gives its memory size, so a
 * function that outgrows its memory fails here as it would on AWS instead of running on.
 */
describe('heapLimits', () => {
  it('gives the young generation a tenth of the memory and the old generation the rest', () => {
    expect(heapLimits(1024)).toEqual({ maxYoungGenerationSizeMb: 153, maxOldGenerationSizeMb: 922 });
    expect(heapLimits(128)).toEqual({ maxYoungGenerationSizeMb: 18, maxOldGenerationSizeMb: 116 });
  });
});

describe('a function that outgrows its memory', () => {
  let fixture: FunctionFixture;
  let fn: LocalFunction;

  beforeAll(async () => {
    // Keeps ~40 MB of live objects per step until `mb` are held.
    fixture = await functionFromSource(
      'hungry',
      'export const handler = async (event) => {\n' +
        '  const held = [];\n' +
        '  for (let mb = 0; mb < event.mb; mb += 40) held.push(Array.from({ length: 5_000_000 }, (_, i) => i + 0.5));\n' +
        '  return held.length;\n' +
        '};\n',
    );
    fn = fixture.fn;
  });

  afterAll(() => fixture.dispose());

  it('fails the invocation with Runtime.ExitError, and the next one runs in a fresh environment', async () => {
    // given a 128 MB function
    // when an invocation holds 400 MB
    const failure = await fn.invoke({ mb: 400 }).catch((error: unknown) => error);
    // then it fails as Lambda reports a runtime that died
    expect(failure).toBeInstanceOf(FunctionError);
    expect((failure as FunctionError).payload.errorType).toBe('Runtime.ExitError');
    expect((failure as FunctionError).payload.errorMessage).toMatch(/memory/i);
    // and a small invocation afterwards succeeds
    await expect(fn.invoke({ mb: 40 })).resolves.toBe(1);
  });
});
