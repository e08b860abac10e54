/**
 * `npx tsx local/stepfunctions/cli.ts [<order id | execution name | execution ARN>] [--json]`
 *
 * Reads the local Step Functions' executions from the state folder (`.local/stepfunctions/`,
 * or `$LOCAL_STATE_DIR/stepfunctions/`), where the running stack keeps them: without an
 * argument it lists the latest executions; with one, it prints that execution's history, one
 * event a line. Works whether the stack runs or not; nothing to sign. (With the stack running,
 * the same is available through the Step Functions API: see docs/orders.md.)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveStateDir } from '../cli/token.js';
import type { HistoryEvent } from './history.js';
import type { ExecutionRecord } from './records.js';
import { fileExecutionStore } from './store.js';

const time = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/** The part of an event worth a glance: the state, the error, the task's function. */
export function summarize(event: HistoryEvent): string {
  const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1] as Record<string, unknown> | undefined;
  if (details === undefined) return '';
  const parts: string[] = [];
  if (typeof details['name'] === 'string') parts.push(details['name']);
  if (typeof details['error'] === 'string') parts.push(`error=${details['error']}`);
  if (typeof details['cause'] === 'string') {
    let cause = details['cause'];
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
    } catch {
      // A plain cause.
    }
    parts.push(`cause=${JSON.stringify(cause.length > 160 ? `${cause.slice(0, 157)}...` : cause)}`);
  }
  if (typeof details['parameters'] === 'string') {
    const functionName = (JSON.parse(details['parameters']) as { FunctionName?: unknown }).FunctionName;
    if (typeof functionName === 'string') parts.push(`function=${functionName.split(':').at(-1)}`);
  }
  return parts.join('  ');
}

export function formatHistory(record: ExecutionRecord): string {
  const header = `${record.name}  ${record.status}  ${record.executionArn}${record.error ? `\n  error=${record.error} cause=${record.cause ?? ''}` : ''}`;
  const lines = record.events.map((e) => `${String(e.id).padStart(4)}  ${time(e.timestamp)}  ${e.type.padEnd(24)}  ${summarize(e)}`);
  return [header, ...lines].join('\n');
}

export function formatList(records: readonly ExecutionRecord[]): string {
  return records
    .map((r) => `${new Date(r.startDate).toISOString()}  ${r.status.padEnd(9)}  ${r.name}  (${r.stateMachineArn.split(':').at(-1)})`)
    .join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return 'Usage: npx tsx local/stepfunctions/cli.ts [<order id | execution name | execution ARN>] [--json]';
  const records = (await fileExecutionStore(join(resolveStateDir(env), 'stepfunctions')).load()).sort((a, b) => b.startDate - a.startDate);
  const [wanted] = positionals;
  if (wanted === undefined) {
    return values.json ? JSON.stringify(records.slice(0, 50).map(({ events: _events, ...rest }) => rest), null, 2) : formatList(records.slice(0, 50));
  }
  const record = records.find((r) => r.executionArn === wanted || r.name === wanted);
  if (record === undefined) throw new Error(`No execution named ${wanted}. Run without an argument to list them.`);
  return values.json ? JSON.stringify(record, null, 2) : formatHistory(record);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (text) => console.log(text),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}

