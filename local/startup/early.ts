/**
 * The two slow parts of start-up need nothing from the rest of the stack: the CDK synthesis (a
 * child process, about 3 s of CPU) and DynamoDB Local (a JVM, about 2.5 s of CPU to its first
 * answer). They are begun first, before the stack's own modules load, and they run while the
 * rest of the stack starts; `startLocalStack` waits for each only where it needs it.
 *
 * This module stays light on purpose (node built-ins, the synth runner and the JVM launcher):
 * `npm start` loads it before everything else.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SynthOptions } from '../cdk/synth.js';
import type { CfnTemplate } from '../cdk/template.js';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '../services/dynamodb.js';
import type { LocalStackOptions } from '../stack-contract.js';
import { resynthesize, synthInputsKey, synthesizeOrReuse } from './synth-cache.js';
import type { Timeline } from './timeline.js';

export type EarlyStartOptions = Pick<LocalStackOptions, 'projectDir' | 'stateDir' | 'ephemeral' | 'cdkApp' | 'cdkContext' | 'log' | 'appDir'>;

export interface EarlyStart {
  readonly projectDir: string;
  readonly stateDir: string;
  readonly ephemeral: boolean;
  /** The synthesized stack template. */
  readonly template: Promise<CfnTemplate>;
  /** Known at once (the port is chosen before the JVM starts), so functions' environments need not wait. */
  readonly dynamodbEndpoint: string;
  /** DynamoDB Local once it answers. */
  readonly dynamodb: Promise<DynamoDbLocal>;
  /** Synthesizes the same app again (hot reload of the schema and resolvers). */
  synthesizeAgain(): Promise<CfnTemplate>;
  /** Stops what was begun, running or still starting. The state folder is the caller's. */
  stop(): Promise<void>;
}

export async function beginStart(options: EarlyStartOptions, timeline: Timeline): Promise<EarlyStart> {
  const projectDir = resolve(options.projectDir);
  const ephemeral = options.ephemeral ?? false;
  const stateDir = ephemeral
    ? await mkdtemp(join(tmpdir(), 'appsync-local-'))
    : resolve(options.stateDir ?? join(projectDir, '.local'));
  await mkdir(join(stateDir, 'dynamodb'), { recursive: true });
  const aborted = new AbortController();
  const synthOptions: SynthOptions = {
    projectDir,
    outDir: join(stateDir, 'cdk.out'),
    ...(options.cdkApp ? { appEntry: options.cdkApp } : {}),
    ...(options.cdkContext ? { context: options.cdkContext } : {}),
    ...(options.appDir ? { appDir: resolve(options.appDir) } : {}),
  };
  // A test fixture's app (cdkApp) reads files from wherever its context says, and an app of its
  // own folder (appDir) from its own: never reused.
  const cache = !ephemeral && options.cdkApp === undefined && options.appDir === undefined;
  const synthStarted = performance.now();
  const template = synthesizeOrReuse({ ...synthOptions, signal: aborted.signal }, cache).then(({ template, reused }) => {
    timeline.record(reused ? 'CDK template reused (its inputs are unchanged)' : 'CDK synth (child process)', synthStarted, performance.now());
    return template;
  });
  const port = await freePort();
  const dynamodb = timeline.phase('DynamoDB Local (JVM) to first answer', () =>
    startDynamoDbLocal({
      port,
      signal: aborted.signal,
      ...(options.log ? { log: options.log } : {}),
      ...(ephemeral ? {} : { dbPath: join(stateDir, 'dynamodb') }),
    }),
  );
  // Either may fail before anyone awaits it (start-up failed elsewhere first): that is reported
  // where it is awaited, not as an unhandled rejection.
  template.catch(() => undefined);
  dynamodb.catch(() => undefined);
  return {
    projectDir,
    stateDir,
    ephemeral,
    template,
    dynamodbEndpoint: `http://127.0.0.1:${port}`,
    dynamodb,
    synthesizeAgain: async () => resynthesize(synthOptions, cache ? await synthInputsKey(synthOptions).catch(() => undefined) : undefined),
    stop: async () => {
      // Kills a synthesis or a JVM still starting; a JVM that answers stops gracefully (its
      // database files are kept).
      aborted.abort();
      await (await dynamodb.catch(() => undefined))?.stop();
      await template.catch(() => undefined);
    },
  };
}
