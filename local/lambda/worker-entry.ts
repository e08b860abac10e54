/**
 * Runs inside a worker thread: one Lambda execution environment. It loads the function's bundle
 * once (the init phase) and then handles one invocation at a time, as Lambda does. A stack
 * started with `faults` (tests) has the worker apply them around the handler
 * (local/faults/host.ts): the handler itself is the deployed code.
 */
import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { InvokeMessage, WorkerData, WorkerReply } from './protocol.js';

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

const describe = (error: unknown): { errorType: string; errorMessage: string; trace: string[] } => {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
};

// On Linux the thread takes the entry's name (`process-upload`, at most 15 characters), so that
// `top -H`, `pidstat -t` and the pipeline benchmark can tell the functions' threads apart. A sync
// write runs on this thread, which is what /proc/thread-self names.
try {
  writeFileSync('/proc/thread-self/comm', basename(data.entry, extname(data.entry)).slice(0, 15));
} catch {
  // Not Linux: nothing to name.
}

try {
  const module = (await import(pathToFileURL(data.bundlePath).href)) as Record<string, unknown>;
  // A CommonJS module whose exports Node cannot list statically has them on `default` only.
  const exported = module[data.handlerName] ?? (module['default'] as Record<string, unknown> | undefined)?.[data.handlerName];
  if (typeof exported !== 'function') {
    throw new Error(`${data.entry} does not export a function named ${data.handlerName}`);
  }
  let handler = exported as (event: unknown, context: unknown) => unknown;
  if (data.faults !== undefined) {
    const { hostWithFaults } = await import('../faults/host.js');
    handler = hostWithFaults(handler, { entry: data.entry, bundlePath: data.bundlePath, faults: data.faults });
  }
  port.on('message', (message: InvokeMessage) => {
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: data.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: data.functionArn,
      memoryLimitInMB: String(data.memoryMb),
      awsRequestId: message.requestId,
      logGroupName: `/aws/lambda/${data.functionName}`,
      logStreamName: `local/${data.functionName}`,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    Promise.resolve()
      .then(() => handler(message.event, context))
      .then(
        (result): WorkerReply => ({ kind: 'result', id: message.id, result: result === undefined ? null : result }),
        (error: unknown): WorkerReply => ({ kind: 'error', id: message.id, error: describe(error) }),
      )
      .then((reply) => port.postMessage(reply));
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'init-error', error: describe(error) } satisfies WorkerReply);
}
