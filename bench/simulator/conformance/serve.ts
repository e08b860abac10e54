/**
 * The simulator under test, in its own process: some probes crash it (it parses frames and
 * reads `start` messages outside any error handling), and the runner must see that as an
 * observation and carry on with a fresh one. Prints `BENCH_READY {...}` when it serves; counts
 * Lambda invocations for the runner, answered (and reset) on a second, loopback-only port.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { serveUntilStopped } from '../../lib/child.js';
import { simulatorConfig } from './config.js';
import { startSimulator } from './simulator.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'control-port': { type: 'string' } } });
if (!values.port || !values['control-port']) throw new Error('--port and --control-port are required');
const port = Number(values.port);

const invocations: { dataSource: string; batchSize: number | null }[] = [];
const simulator = await startSimulator(
  port,
  simulatorConfig({ onInvoke: (dataSource, payload) => invocations.push({ dataSource, batchSize: Array.isArray(payload) ? payload.length : null }) }),
);
const control = createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(invocations.splice(0)));
  request.resume();
});
await new Promise<void>((resolve) => control.listen(Number(values['control-port']), '127.0.0.1', resolve));

serveUntilStopped({ port, controlPort: Number(values['control-port']) }, async () => {
  control.close();
  await simulator.stop();
});
