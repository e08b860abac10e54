import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFunction, buildWorkerEntry } from '../../local/lambda/local-function.js';

export interface FunctionFixture {
  readonly fn: LocalFunction;
  /** Stops the function's environment and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * A 128 MB, 30 s function built from `source` (an ES module exporting `handler`) in a folder of
 * its own, run as the local stack runs every function: in a worker thread.
 */
export async function functionFromSource(name: string, source: string): Promise<FunctionFixture> {
  const dir = await mkdtemp(join(tmpdir(), `function-${name}-`));
  const entryPath = join(dir, `${name}.mjs`);
  await writeFile(entryPath, source);
  const fn = new LocalFunction({
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    entryPath,
    entry: `${name}.mjs`,
    handlerName: 'handler',
    timeoutSeconds: 30,
    memoryMb: 128,
    environment: {},
    buildDir: join(dir, 'build'),
    workerPath: await buildWorkerEntry(join(dir, 'build')),
  });
  await fn.build();
  return {
    fn,
    dispose: async () => {
      await fn.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
