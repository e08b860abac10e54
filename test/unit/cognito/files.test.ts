import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COGNITO_DIR, openFileUserStore } from '../../../local/cognito/files.js';
import type { UserRecord } from '../../../local/cognito/ports.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const aUser = (username: string): UserRecord => ({
  username,
  sub: username,
  attributes: { email: `${username}@example.com` },
  status: 'CONFIRMED',
  enabled: true,
  verifier: { salt: '00', verifier: '01' },
  temporaryPasswordExpiresAt: undefined,
  groups: [],
  code: undefined,
  failedSignIns: 0,
  lockedUntil: 0,
  createdAt: 0,
  updatedAt: 0,
});

describe("given a pool's state file", () => {
  it('when one write fails (the folder is unusable), then that change reports it and the next write still saves every user', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'cognito-files-'));
    dirs.push(stateDir);
    const store = await openFileUserStore(stateDir, 'us-east-1_Files');
    // A file where the folder should be: mkdir fails.
    await writeFile(join(stateDir, COGNITO_DIR), 'in the way');
    await expect(store.put(aUser('ada'))).rejects.toThrow();

    await rm(join(stateDir, COGNITO_DIR));
    await mkdir(join(stateDir, COGNITO_DIR));
    await store.put(aUser('bob'));
    await store.flush();

    const saved = JSON.parse(await readFile(join(stateDir, COGNITO_DIR, 'us-east-1_Files.json'), 'utf8')) as { users: { username: string }[] };
    expect(saved.users.map((u) => u.username)).toEqual(['ada', 'bob']);
    expect(await readdir(join(stateDir, COGNITO_DIR))).toEqual(['us-east-1_Files.json']);
    const reopened = await openFileUserStore(stateDir, 'us-east-1_Files');
    expect(reopened.all().map((u) => u.username)).toEqual(['ada', 'bob']);
  });
});
