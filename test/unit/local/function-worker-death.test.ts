import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionError, LocalFunction, buildWorkerEntry } from '../../../local/lambda/local-function.js';

/**
 * A function's execution environment (a worker thread) that dies is replaced: the next
 * invocation runs in a fresh one, as on Lambda.
 */
describe('a function whose environment dies', () => {
  let dir: string;
  let fn: LocalFunction;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'function-death-'));
    const entryPath = join(dir, 'fragile.mjs');
    // Counts invocations per environment; `exitNow` ends it mid-invocation.
    await writeFile(
      entryPath,
      'let served = 0;\n' +
        'export const handler = async (event) => {\n' +
        '  served += 1;\n' +
        '  if (event.exitNow) process.exit(3);\n' +
        '  return served;\n' +
        '};\n',
    );
    fn = new LocalFunction({
      name: 'fragile',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:fragile',
      entryPath,
      entry: 'fragile.mjs',
      handlerName: 'handler',
      timeoutSeconds: 30,
      memoryMb: 128,
      environment: {},
      buildDir: join(dir, 'build'),
      workerPath: await buildWorkerEntry(join(dir, 'build')),
    });
    await fn.build();
  });

  afterAll(async () => {
    await fn.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('given an environment that exits during an invocation, then that invocation fails with Runtime.ExitError and the next runs in a fresh environment', async () => {
    const failure = await fn.invoke({ exitNow: true }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(FunctionError);
    expect((failure as FunctionError).payload).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with code 3' });
    await expect(fn.invoke({})).resolves.toBe(1);
  });
});
