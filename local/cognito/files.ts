/**
 * The Cognito core's ports on the state folder: each pool's users, refresh tokens and revoked
 * origins in one JSON file (written whole to a temp file, then renamed, so a crash leaves the
 * old or the new state, never half of one); the mailbox as JSON lines.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MailMessage, Mailbox, RefreshTokenRecord, UserRecord, UserStore } from './ports.js';

export const COGNITO_DIR = 'cognito';
export const MAILBOX_FILE = 'mailbox.jsonl';

interface PoolFile {
  readonly version: 1;
  readonly users: readonly UserRecord[];
  readonly refreshTokens: readonly RefreshTokenRecord[];
  readonly revokedOrigins: readonly string[];
}

export class CognitoStateFileError extends Error {
  constructor(path: string, options?: { cause?: unknown }) {
    super(`${path} is not a valid user-pool state file; move it away to start the pool empty`, options);
    this.name = 'CognitoStateFileError';
  }
}

async function readPoolFile(path: string): Promise<PoolFile | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as PoolFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.users) || !Array.isArray(parsed.refreshTokens)) throw new Error('unexpected shape');
    return parsed;
  } catch (cause) {
    throw new CognitoStateFileError(path, { cause });
  }
}

/** A pool's store, loaded from `<stateDir>/cognito/<userPoolId>.json` (or empty), kept in memory, written on every change. */
export async function openFileUserStore(stateDir: string, userPoolId: string): Promise<UserStore & { flush(): Promise<void> }> {
  const path = join(stateDir, COGNITO_DIR, `${userPoolId}.json`);
  const loaded = await readPoolFile(path);
  const users = new Map((loaded?.users ?? []).map((u) => [u.username, u]));
  const tokens = new Map((loaded?.refreshTokens ?? []).map((t) => [t.hash, t]));
  const revoked = new Set(loaded?.revokedOrigins ?? []);
  let writing: Promise<void> = Promise.resolve();

  /**
   * Writes are chained, so the file always ends with the latest state. Each write holds the whole
   * state, so one that failed (a full disk) is repaired by the next: it must not wait on the failure.
   */
  const persist = (): Promise<void> => {
    const now = Math.floor(Date.now() / 1000);
    for (const [hash, token] of tokens) if (token.expiresAt < now) tokens.delete(hash);
    const snapshot: PoolFile = { version: 1, users: [...users.values()], refreshTokens: [...tokens.values()], revokedOrigins: [...revoked] };
    const text = `${JSON.stringify(snapshot)}\n`;
    writing = writing.catch(() => undefined).then(async () => {
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, path);
    });
    return writing;
  };

  return {
    get: (username) => users.get(username),
    all: () => [...users.values()],
    put: (user) => {
      users.set(user.username, user);
      return persist();
    },
    delete: (username) => {
      users.delete(username);
      return persist();
    },
    refreshToken: (hash) => tokens.get(hash),
    refreshTokensOf: (username) => [...tokens.values()].filter((t) => t.username === username),
    putRefreshToken: (record) => {
      tokens.set(record.hash, record);
      return persist();
    },
    isOriginRevoked: (originJti) => revoked.has(originJti),
    revokeOrigin: (originJti) => {
      revoked.add(originJti);
      return persist();
    },
    flush: () => writing,
  };
}

/** Codes and invitations: appended to `<stateDir>/cognito/mailbox.jsonl`, one line on the stack's log each. */
export function fileMailbox(stateDir: string, log: (line: string) => void): Mailbox {
  const path = mailboxPath(stateDir);
  return {
    async send(message) {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, `${JSON.stringify(message)}\n`, { mode: 0o600 });
      log(`mail to ${message.to}: ${message.subject} (code ${message.code}); npm run mail shows it`);
    },
  };
}

export const mailboxPath = (stateDir: string): string => join(stateDir, COGNITO_DIR, MAILBOX_FILE);

/** Every message in the mailbox, oldest first; lines that are not messages are skipped. */
export async function readMailbox(stateDir: string): Promise<MailMessage[]> {
  let raw: string;
  try {
    raw = await readFile(mailboxPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const messages: MailMessage[] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as MailMessage;
      if (typeof parsed.to === 'string' && typeof parsed.code === 'string') messages.push(parsed);
    } catch {
      // A line cut short by a crash: the others still count.
    }
  }
  return messages;
}
