import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withAppModules } from '../../../local/functions.js';
import { LocalFunction, buildWorkerEntry } from '../../../local/lambda/local-function.js';

/**
 * A staged NodejsFunction bundle leaves `@aws-sdk/*` out, as Lambda's runtime has every client;
 * locally a client the local stack does not install comes from the app's own packages
 * (serverless-patterns' appsync-lambda-bedrock-async-stream-subscription-cdk).
 */
let dir: string | undefined;
let fn: LocalFunction | undefined;
afterEach(async () => {
  await fn?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a function of an app's folder", () => {
  it('given a bundle requiring a client only the app installs, when invoked, then it resolves from the app\'s node_modules', async () => {
    dir = await mkdtemp(join(tmpdir(), 'app-modules-'));
    const app = join(dir, 'app');
    await mkdir(join(app, 'node_modules', '@aws-sdk', 'client-only-in-app'), { recursive: true });
    await writeFile(join(app, 'node_modules', '@aws-sdk', 'client-only-in-app', 'index.js'), 'exports.name = "from the app";');
    await mkdir(join(dir, 'asset'));
    await writeFile(join(dir, 'asset', 'index.js'), 'exports.handler = async () => require("@aws-sdk/client-only-in-app").name;');
    fn = new LocalFunction({
      name: 'Fn',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
      entryPath: join(dir, 'asset', 'index.js'),
      entry: 'index.js',
      handlerName: 'handler',
      timeoutSeconds: 10,
      memoryMb: 128,
      environment: withAppModules({ TABLE: 'Items' }, app),
      buildDir: join(dir, 'build'),
      workerPath: await buildWorkerEntry(join(dir, 'build')),
      asIs: true,
    });
    await fn.build();
    await expect(fn.invoke({})).resolves.toBe('from the app');
  });

  it("given the template's own NODE_PATH, or an app without node_modules, when the environment is made, then it is left as it is", () => {
    expect(withAppModules({ NODE_PATH: '/opt/mine' }, '/nonexistent-app')).toEqual({ NODE_PATH: '/opt/mine' });
    expect(withAppModules({ A: '1' }, undefined)).toEqual({ A: '1' });
  });
});
