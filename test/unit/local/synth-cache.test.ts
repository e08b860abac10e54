import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SynthOptions } from '../../../local/cdk/synth.js';
import { resynthesize, synthesizeOrReuse } from '../../../local/startup/synth-cache.js';

/**
 * The start-up's template cache, on a project of its own whose "CDK app" writes a template and
 * counts its runs: a restart reuses the template only while what cdk.json says the app is made
 * of, the context and the lock file are unchanged.
 */

const PROJECT_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const APP = `import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const out = process.env.CDK_OUTDIR;
mkdirSync(out, { recursive: true });
appendFileSync('runs.log', 'run\\n');
const schema = readFileSync('schema/schema.graphql', 'utf8');
writeFileSync(out + '/Stack.template.json', JSON.stringify({ Resources: {}, Metadata: { schema } }));
`;

describe('synthesizeOrReuse', () => {
  let dir: string;
  let options: SynthOptions;
  const runs = async () => (await readFile(join(dir, 'runs.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const schemaOf = (template: object) => (template as { Metadata?: Record<string, unknown> }).Metadata?.['schema'];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synth-cache-'));
    await mkdir(join(dir, 'infra'));
    await mkdir(join(dir, 'schema'));
    await writeFile(join(dir, 'cdk.json'), JSON.stringify({ watch: { include: ['infra/**', 'schema/**'] } }));
    await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
    await writeFile(join(dir, 'infra', 'app.mjs'), APP);
    await writeFile(join(dir, 'schema', 'schema.graphql'), 'type Query { a: String }');
    await symlink(join(PROJECT_DIR, 'node_modules'), join(dir, 'node_modules'), 'dir');
    options = { projectDir: dir, outDir: join(dir, '.local', 'cdk.out'), appEntry: 'infra/app.mjs' };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given a synthesized app, when it restarts with nothing changed, then the template is reused without running the app', async () => {
    const first = await synthesizeOrReuse(options, true);
    const second = await synthesizeOrReuse(options, true);

    expect([first.reused, second.reused]).toEqual([false, true]);
    expect(second.template).toEqual(first.template);
    expect(await runs()).toBe(1);
  });

  it('given a synthesized app, when a watched file, a new file, the lock file or the context changes, then it synthesizes again', async () => {
    await synthesizeOrReuse(options, true);

    await writeFile(join(dir, 'schema', 'schema.graphql'), 'type Query { b: String }');
    const edited = await synthesizeOrReuse(options, true);
    expect(edited.reused).toBe(false);
    expect(schemaOf(edited.template)).toBe('type Query { b: String }');

    await writeFile(join(dir, 'infra', 'more.ts'), 'export {};');
    expect((await synthesizeOrReuse(options, true)).reused).toBe(false);
    await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect((await synthesizeOrReuse(options, true)).reused).toBe(false);
    expect((await synthesizeOrReuse({ ...options, context: { stage: 'prod' } }, true)).reused).toBe(false);
    expect(await runs()).toBe(5);
  });

  it('given a hot reload that synthesized an edit, when the edit is undone while stopped, then the next start does not reuse the edited template', async () => {
    await synthesizeOrReuse(options, true);
    await writeFile(join(dir, 'schema', 'schema.graphql'), 'type Query { b: String }');
    await resynthesize(options);
    await writeFile(join(dir, 'schema', 'schema.graphql'), 'type Query { a: String }');

    const restarted = await synthesizeOrReuse(options, true);
    expect(restarted.reused).toBe(false);
    expect(schemaOf(restarted.template)).toBe('type Query { a: String }');
  });

  it('given a synthesis that fails, then the next start synthesizes again', async () => {
    await synthesizeOrReuse(options, true);
    await writeFile(join(dir, 'infra', 'app.mjs'), 'throw new Error("broken edit");');
    await expect(synthesizeOrReuse(options, true)).rejects.toThrow(/broken edit/);
    await writeFile(join(dir, 'infra', 'app.mjs'), APP);

    expect((await synthesizeOrReuse(options, true)).reused).toBe(false);
  });

  it('given no caching, then every start synthesizes', async () => {
    await synthesizeOrReuse(options, false);
    expect((await synthesizeOrReuse(options, false)).reused).toBe(false);
    expect(await runs()).toBe(2);
  });
});
