import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { PROJECT_DIR, startFixtureStack } from './global-setup.js';
import { isLocal } from './support/target.js';

/**
 * Hot reload (local only): a handler edit, a resolver code edit and a schema edit take effect
 * without a restart; a broken edit leaves the last good version running and the log says why.
 * This file starts its own stack on a copy of the fixture's hot-reload files (in .local/tmp), so
 * its edits touch nothing else.
 */

const FIXTURE = new URL('./fixture/', import.meta.url).pathname;
const resolverCode = (value: string) =>
  `export function request() { return { payload: ${JSON.stringify(value)} }; }\nexport function response(ctx) { return ctx.result; }\n`;

describe.skipIf(!isLocal())('hot reload', { timeout: 180_000 }, () => {
  let dir: string;
  let stack: LocalStack;
  const lines: string[] = [];

  const query = async (text: string) => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey ?? '' },
      body: JSON.stringify({ query: text }),
    });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  };

  /** Polls until `probe` holds; returns how long it took (reported, never asserted). */
  const until = async (probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<number> => {
    const started = Date.now();
    for (;;) {
      if (await probe()) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}; log: ${lines.slice(-5).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const logged = (pattern: RegExp, after: number) => () => lines.slice(after).some((line) => pattern.test(line));

  beforeAll(async () => {
    // Inside the project (CDK wants a function's entry under its project root), in the
    // git-ignored state folder.
    const parent = join(PROJECT_DIR, '.local', 'tmp');
    await mkdir(parent, { recursive: true });
    dir = await mkdtemp(join(parent, 'conformance-hot-'));
    await copyFile(join(FIXTURE, 'schema.graphql'), join(dir, 'schema.graphql'));
    await copyFile(join(FIXTURE, 'handlers', 'hot.ts'), join(dir, 'hot.ts'));
    await writeFile(join(dir, 'hot-resolver.js'), resolverCode('js version 1'));
    stack = await startFixtureStack({ cdkContext: { 'conformance:hotDir': dir }, hotReload: { paths: [dir] }, log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a running handler, when its source is edited, then the next requests run the new code; a broken edit keeps the last good one and the log says why', async (context) => {
    expect((await query('{ hot }')).data).toEqual({ hot: 'version 1' });

    await writeFile(join(dir, 'hot.ts'), "export const handler = async (): Promise<string> => 'version 2';\n");
    const tookMs = await until(async () => (await query('{ hot }')).data?.['hot'] === 'version 2', 'version 2');
    context.annotate(`handler edit live after ${tookMs} ms`);

    let mark = lines.length;
    await writeFile(join(dir, 'hot.ts'), "export const handler = async (): Promise<string> => 'version 3' +;\n");
    await until(logged(/hot reload: HotFunction\w* kept its last good version; the edit does not load: .*hot\.ts/, mark), 'the build error in the log');
    expect((await query('{ hot }')).data).toEqual({ hot: 'version 2' });

    mark = lines.length;
    await writeFile(join(dir, 'hot.ts'), "throw new Error('fails at import');\nexport const handler = async (): Promise<string> => 'version 4';\n");
    await until(logged(/kept its last good version; the edit does not load: .*fails at import/, mark), 'the init error in the log');
    expect((await query('{ hot }')).data).toEqual({ hot: 'version 2' });
  });

  it('given a running resolver, when its code is edited, then it is served after a re-synthesis; code AppSync would refuse keeps the running API and the log says why', async () => {
    expect((await query('{ hotJs }')).data).toEqual({ hotJs: 'js version 1' });
    await writeFile(join(dir, 'hot-resolver.js'), resolverCode('js version 2'));
    await until(async () => (await query('{ hotJs }')).data?.['hotJs'] === 'js version 2', 'js version 2');

    const mark = lines.length;
    await writeFile(join(dir, 'hot-resolver.js'), 'export function request(ctx) { while (ctx.a) {} return {}; }\nexport function response(ctx) { return ctx.result; }\n');
    await until(logged(/kept the running API; the edit does not load: Query\.hotJs: the APPSYNC_JS runtime does not support/, mark), 'the refusal in the log');
    expect((await query('{ hotJs }')).data).toEqual({ hotJs: 'js version 2' });
  });

  it('given a running schema, when a field is added, then queries may use it after a re-synthesis; a schema that does not parse keeps the running one', async () => {
    const schemaPath = join(dir, 'schema.graphql');
    const schema = await readFile(schemaPath, 'utf8');
    expect((await query('{ hotAdded }')).errors?.[0]?.message).toMatch(/hotAdded/);

    // The previous test left a resolver AppSync refuses: this edit mends it too.
    await writeFile(join(dir, 'hot-resolver.js'), resolverCode('js version 3'));
    await writeFile(schemaPath, schema.replace('type Query {', 'type Query {\n  hotAdded: String @aws_api_key'));
    await until(async () => (await query('{ hotAdded }')).errors === undefined, 'the added field');
    expect((await query('{ hotJs }')).data).toEqual({ hotJs: 'js version 3' });

    const mark = lines.length;
    await writeFile(schemaPath, `${schema}\ntype Broken {`);
    await until(logged(/kept the running API/, mark), 'the refusal in the log');
    expect((await query('{ hotAdded }')).errors).toBeUndefined();
  });
});
