/**
 * DynamoDB Local as a supervised child process: its JVM listens on 127.0.0.1 only
 * (./dynamodb-jvm.ts), behind a front on the endpoint's port (./dynamodb-front.ts). When the JVM
 * dies it is started again on the same data, with one log line; calls in between wait for it, or
 * get a retryable 503. The JVM is killed on `stop()` and when this process exits, and it ends by
 * itself when this process dies (its stdin closes).
 *
 * Started with `-sharedDb`: every credential and region sees the same tables, so handlers and
 * tests need not agree on fake credentials.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDynamoDbFront } from './dynamodb-front.js';
import { type DynamoDbJar, explainJvmFailure, prepareDynamoDbJar, spawnDynamoDbJvm } from './dynamodb-jvm.js';

export interface DynamoDbLocalOptions {
  /** The endpoint's port. Default: a free port. */
  readonly port?: number;
  /** Directory for the database file. Omit to keep the data in memory (a restart then starts empty). */
  readonly dbPath?: string;
  /** How long to wait for the first answer. Default 60 s (a loaded machine starts the JVM slowly). */
  readonly startTimeoutMs?: number;
  /** Aborting before it answers kills the JVM at once (a start-up that failed elsewhere); after, use `stop()`. */
  readonly signal?: AbortSignal;
  /** Where the one line about a restart goes. @default console.error */
  readonly log?: (line: string) => void;
}

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:8000; use as AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id now (it changes when the JVM is restarted). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (bind 0, read it back, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Restarts in a row that may fail before the supervisor gives up and calls get 503 for good. */
const MAX_FAILED_RESTARTS = 3;

interface Jvm {
  readonly child: ChildProcess;
  readonly port: number;
  /** Resolves when the process has exited (or could not be spawned). */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** The last output, for error messages. */
  output(): string;
  spawnError(): NodeJS.ErrnoException | undefined;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const log = options.log ?? ((line: string) => console.error(line));
  const dbPath = options.dbPath === undefined ? null : resolve(options.dbPath);
  const front = await startDynamoDbFront({ port: options.port ?? (await freePort()) });
  const endpoint = `http://127.0.0.1:${front.port}`;
  let stopping = false;
  let current: Jvm | undefined;

  const killOnExit = () => {
    if (current && !current.hasExited()) current.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const onAbort = () => {
    stopping = true;
    killOnExit();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const stop = async () => {
    stopping = true;
    process.removeListener('exit', killOnExit);
    options.signal?.removeEventListener('abort', onAbort);
    front.setUpstream({ kind: 'failed', reason: 'the local stack is stopping' });
    if (current) await terminate(current);
    await front.close();
  };

  let jar: DynamoDbJar;
  try {
    if (options.signal?.aborted) throw new Error('start-up aborted');
    jar = await prepareDynamoDbJar();
    current = await startJvm(jar, dbPath, options.startTimeoutMs ?? 60_000, () => stopping);
  } catch (error) {
    await stop();
    throw error;
  }
  options.signal?.removeEventListener('abort', onAbort);
  front.setUpstream({ kind: 'up', port: current.port });

  const supervise = (jvm: Jvm) => {
    void jvm.exited.then(async () => {
      if (stopping) return;
      front.setUpstream({ kind: 'down' });
      const how = jvm.child.signalCode ?? `exit code ${jvm.child.exitCode}`;
      log(`DynamoDB Local's JVM (pid ${jvm.child.pid}) died (${how}); restarting it on ${dbPath === null ? 'an empty in-memory database: its tables are gone' : `the same data (${dbPath})`}`);
      let failures = 0;
      for (;;) {
        try {
          const next = await startJvm(jar, dbPath, options.startTimeoutMs ?? 60_000, () => stopping);
          if (stopping) {
            await terminate(next);
            return;
          }
          current = next;
          front.setUpstream({ kind: 'up', port: next.port });
          supervise(next);
          return;
        } catch (error) {
          if (stopping) return;
          failures += 1;
          if (failures >= MAX_FAILED_RESTARTS) {
            const reason = (error as Error).message.split('\n')[0] ?? 'it did not start';
            log(`DynamoDB Local could not be restarted (${reason}); DynamoDB calls fail with 503 until the local stack is restarted`);
            front.setUpstream({ kind: 'failed', reason: 'it could not be restarted' });
            return;
          }
        }
      }
    });
  };
  supervise(current);

  return {
    endpoint,
    port: front.port,
    get pid() {
      return current?.child.pid;
    },
    stop,
  };
}

/** A JVM on a free loopback port, once it answers; another port if something took that one first. */
async function startJvm(jar: DynamoDbJar, dbPath: string | null, timeoutMs: number, stopping: () => boolean): Promise<Jvm> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startJvmOnce(jar, dbPath, timeoutMs, stopping);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startJvmOnce(jar: DynamoDbJar, dbPath: string | null, timeoutMs: number, stopping: () => boolean): Promise<Jvm> {
  const port = await freePort();
  const child = spawnDynamoDbJvm(jar, { port, dbPath });
  let output = '';
  let spawnError: NodeJS.ErrnoException | undefined;
  let exited = false;
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Writing to a JVM that is gone must not throw in this process.
  child.stdin?.on('error', () => undefined);
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  const exitedPromise = new Promise<void>((done) => {
    child.once('exit', () => {
      exited = true;
      done();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      exited = true;
      done();
    });
  });
  const jvm: Jvm = {
    child,
    port,
    exited: exitedPromise,
    hasExited: () => exited,
    output: () => output,
    spawnError: () => spawnError,
  };
  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, timeoutMs, () => exited || stopping());
    return jvm;
  } catch (error) {
    await terminate(jvm);
    await Promise.race([closed, sleep(1_000)]);
    const explained = explainJvmFailure(spawnError, output);
    if (explained) throw explained;
    if (/java\.net\.BindException|Could not start server on port/.test(output)) throw new PortTakenError(`port ${port} was taken`, { cause: error });
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output.trim()}`, { cause: error });
  }
}

async function terminate(jvm: Jvm): Promise<void> {
  if (jvm.hasExited()) return;
  jvm.child.kill('SIGTERM');
  const timedOut = await Promise.race([jvm.exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut && !jvm.hasExited()) {
    jvm.child.kill('SIGKILL');
    await jvm.exited;
  }
}

async function waitUntilReady(endpoint: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  // Loaded here, not at the top: the JVM is spawned before the SDK has loaded (start-up runs
  // this module first and loads the rest of the stack while the JVM starts).
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      if (gone()) throw new Error('the process exited');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch (error) {
        lastError = error;
        await sleep(50);
      }
    }
    throw new Error(`no answer within ${timeoutMs} ms (${String((lastError as Error | undefined)?.message)})`);
  } finally {
    client.destroy();
  }
}
