/**
 * `npm run mail [-- --to <address>] [--json]`
 *
 * Prints the local mailbox: the confirmation codes, password-reset codes and invitations the
 * local Cognito user pool "sent" (`<stateDir>/cognito/mailbox.jsonl`). No real e-mail leaves
 * the machine.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readMailbox } from '../cognito/index.js';
import { resolveStateDir } from './token.js';

const HELP = `Usage: npm run mail [-- --to <address>] [--json]

Prints the messages the local user pool sent (sign-up codes, password-reset codes, invitations),
oldest first.

  --to <address>   only messages to this address (case-insensitive)
  --json           one JSON object per line
  -h, --help       show this help

State dir: .local/ under the repository root, or $LOCAL_STATE_DIR.`;

export interface MailCliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the CLI; returns the exit code. */
export async function runMailCli(argv: readonly string[], io: MailCliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { to: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  const to = values.to?.toLowerCase();
  const messages = (await readMailbox(resolveStateDir(io.env))).filter((m) => to === undefined || m.to.toLowerCase() === to);
  if (messages.length === 0) {
    io.stdout(to === undefined ? 'The mailbox is empty.\n' : `No messages to ${values.to}.\n`);
    return 0;
  }
  for (const m of messages) {
    io.stdout(values.json === true ? `${JSON.stringify(m)}\n` : `${m.at}  to ${m.to}  ${m.subject}\n    ${m.body.trim()}\n    code: ${m.code}\n`);
  }
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await runMailCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
