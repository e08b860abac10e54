/**
 * `npm run token -- <username> [--groups a,b] [--email addr] [--access]`
 *
 * Prints a user-pool token for the local stack, signed with the same key material the running
 * stack verifies against (`<stateDir>/cognito-keys.json`), for the pool and client the stack
 * recorded in `<stateDir>/local-config.json` at start-up.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLocalIssuer } from '../auth/local-issuer.js';

export const LOCAL_CONFIG_FILE = 'local-config.json';

/** What the stack writes to `<stateDir>/local-config.json` at start-up. */
export interface LocalConfig {
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly region: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `.local/` under the repository root, or `LOCAL_STATE_DIR` (resolved against the cwd). */
export const resolveStateDir = (env: NodeJS.ProcessEnv = process.env): string => {
  const override = env['LOCAL_STATE_DIR'];
  return override !== undefined && override.length > 0 ? resolve(override) : join(REPO_ROOT, '.local');
};

const HELP = `Usage: npm run token -- <username> [--groups a,b] [--email <address>] [--access] [--json]

Prints a Cognito user-pool token for the local stack. Send it as the Authorization header
(with or without "Bearer "); AppSync accepts both ID and access tokens.

  <username>         the user (its sub is stable: derived from the pool id and username)
  --groups a,b       cognito:groups claim
  --email <address>  email claim of the ID token
  --id               print the ID token (the default)
  --access           print the access token instead
  --json             print {idToken, accessToken, expiresIn} as JSON
  -h, --help         show this help

The stack must have been started once (npm start) so that <stateDir>/${LOCAL_CONFIG_FILE} exists.
State dir: .local/ under the repository root, or $LOCAL_STATE_DIR.`;

export class LocalConfigMissingError extends Error {
  constructor(path: string, options?: { cause?: unknown }) {
    super(`No local stack configuration at ${path}. Start the stack once with \`npm start\`, then run this again.`, options);
    this.name = 'LocalConfigMissingError';
  }
}

const isLocalConfig = (value: unknown): value is LocalConfig => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['userPoolId'] === 'string' && typeof v['userPoolClientId'] === 'string' && typeof v['region'] === 'string';
};

export const readLocalConfig = async (stateDir: string): Promise<LocalConfig> => {
  const path = join(stateDir, LOCAL_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LocalConfigMissingError(path, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${path} is not valid JSON; restart the stack with \`npm start\` to rewrite it`, { cause });
  }
  if (!isLocalConfig(parsed)) {
    throw new Error(`${path} lacks userPoolId, userPoolClientId or region; restart the stack with \`npm start\``);
  }
  return parsed;
};

export interface TokenCliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the CLI; returns the exit code. */
export const runTokenCli = async (argv: readonly string[], io: TokenCliIo): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        groups: { type: 'string' },
        email: { type: 'string' },
        id: { type: 'boolean' },
        access: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(`${HELP}\n`);
    return 0;
  }
  const [username, ...extra] = positionals;
  if (username === undefined || username.length === 0 || extra.length > 0) {
    io.stderr(`Expected exactly one <username>.\n\n${HELP}\n`);
    return 2;
  }
  if (values.id === true && values.access === true) {
    io.stderr('Use either --id or --access, not both.\n');
    return 2;
  }
  const groups = values.groups
    ?.split(',')
    .map((group) => group.trim())
    .filter((group) => group.length > 0);

  try {
    const stateDir = resolveStateDir(io.env);
    const config = await readLocalConfig(stateDir);
    const issuer = await createLocalIssuer({
      stateDir,
      region: config.region,
      userPoolId: config.userPoolId,
      clientId: config.userPoolClientId,
    });
    const tokens = await issuer.issueTokens({
      username,
      ...(groups !== undefined ? { groups } : {}),
      ...(values.email !== undefined ? { email: values.email } : {}),
    });
    if (values.json === true) io.stdout(`${JSON.stringify(tokens, null, 2)}\n`);
    else io.stdout(`${values.access === true ? tokens.accessToken : tokens.idToken}\n`);
    return 0;
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await runTokenCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
