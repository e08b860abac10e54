import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../../local/lambda/local-function.js';
import { watchFunctions } from '../../../local/lambda/watch.js';

/**
 * The handler watcher's scheduling, with stand-in functions whose reload is a promise the test
 * settles: which function reloads first after an edit of shared code, how many at once, and what
 * the log says when an edit does not load.
 */

interface StandIn {
  readonly fn: LocalFunction;
  readonly reloads: { settle: (error?: Error) => void }[];
}

const standIn = (name: string, inputs: string[], started: string[]): StandIn => {
  const reloads: StandIn['reloads'] = [];
  const fn = {
    name,
    inputs,
    reload: () =>
      new Promise<void>((resolve, reject) => {
        started.push(name);
        reloads.push({ settle: (error) => (error ? reject(error) : resolve()) });
      }),
  };
  return { fn: fn as unknown as LocalFunction, reloads };
};

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(probe()).toBe(true);
};

describe('watchFunctions', () => {
  let dir: string;
  let stop: () => void = () => undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'function-watch-'));
  });
  afterEach(async () => {
    stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('given three functions bundling a shared file, when it is edited, then they reload one at a time, the most recently invoked first', async () => {
    const shared = join(dir, 'shared.ts');
    await writeFile(shared, 'export const a = 1;\n');
    const started: string[] = [];
    const [old, recent, never] = [standIn('Old', [shared], started), standIn('Recent', [shared], started), standIn('Never', [shared], started)];
    const invoked = new Map([
      ['Old', 1_000],
      ['Recent', 2_000],
    ]);
    const log: string[] = [];
    stop = watchFunctions([old.fn, recent.fn, never.fn], {
      log: (line) => log.push(line),
      concurrency: 1,
      lastInvoked: (fn) => invoked.get(fn.name) ?? 0,
    });

    await writeFile(shared, 'export const a = 2;\n');
    await until(() => started.length === 1);
    expect(started).toEqual(['Recent']);

    recent.reloads[0]?.settle();
    await until(() => started.length === 2);
    expect(started).toEqual(['Recent', 'Old']);
    old.reloads[0]?.settle();
    await until(() => started.length === 3);
    never.reloads[0]?.settle();
    await until(() => log.length === 3);
    expect(log.every((line) => /hot reload: \w+ runs the edited code/.test(line))).toBe(true);
  });

  it('given a function reloading, when its edit does not load, then the log says it kept its last good version and why', async () => {
    const own = join(dir, 'own.ts');
    await writeFile(own, 'export const a = 1;\n');
    const started: string[] = [];
    const only = standIn('Only', [own], started);
    const log: string[] = [];
    stop = watchFunctions([only.fn], { log: (line) => log.push(line), concurrency: 1 });

    await writeFile(own, 'export const a = ;\n');
    await until(() => started.length === 1);
    only.reloads[0]?.settle(new Error('Transform failed:\n  own.ts:1:17: ERROR: Unexpected ";"'));
    await until(() => log.length === 1);
    expect(log[0]).toBe('hot reload: Only kept its last good version; the edit does not load: Transform failed: own.ts:1:17: ERROR: Unexpected ";"');
  });
});
