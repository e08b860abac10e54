/** The served simulator as a child process the runner can restart when a probe crashes it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { READY_PREFIX, freePort } from '../../lib/child.js';
import { PROJECT_DIR, SIMULATOR_DIR } from '../../lib/paths.js';
import { type Endpoint, endpointAt } from './client.js';

export interface ServedSimulator {
  readonly endpoint: Endpoint;
  readonly controlPort: number;
  /** Exit code or signal once the process has ended. */
  exit: string | undefined;
  /** The last lines it wrote to stderr (why it exited). */
  readonly stderr: string[];
  stop(): Promise<void>;
}

export async function serveSimulator(timeoutMs: number): Promise<ServedSimulator> {
  const port = await freePort();
  const controlPort = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(SIMULATOR_DIR, 'conformance', 'serve.ts'), '--port', String(port), '--control-port', String(controlPort)],
    { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const served: ServedSimulator = {
    endpoint: endpointAt(port),
    controlPort,
    exit: undefined,
    stderr: [],
    stop: async () => {
      if (served.exit !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    served.stderr.push(...text.split('\n').filter(Boolean));
    served.stderr.splice(0, Math.max(0, served.stderr.length - 40));
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      served.exit = signal ?? String(code);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void served.stop();
      reject(new Error(`the simulator did not start in ${timeoutMs} ms\n${served.stderr.join('\n')}`));
    }, timeoutMs);
    // The simulator logs every filtered event to stdout; only the ready line matters here.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (${served.exit}) before it served\n${served.stderr.join('\n')}`));
    });
  });
  return served;
}
