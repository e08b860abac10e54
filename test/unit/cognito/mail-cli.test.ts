import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMailCli } from '../../../local/cli/mail.js';
import { fileMailbox } from '../../../local/cognito/files.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const run = async (argv: string[], stateDir: string) => {
  let stdout = '';
  const code = await runMailCli(argv, { env: { LOCAL_STATE_DIR: stateDir }, stdout: (text) => (stdout += text), stderr: () => undefined });
  return { code, stdout };
};

describe('given a mailbox the stack wrote two messages to', () => {
  const withMail = async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'mail-cli-'));
    dirs.push(stateDir);
    const logged: string[] = [];
    const mailbox = fileMailbox(stateDir, (line) => logged.push(line));
    await mailbox.send({ at: '2026-12-06T12:00:00.000Z', to: 'ada@example.com', subject: 'Your verification code', body: 'Your verification code is 123456. ', code: '123456' });
    await mailbox.send({ at: '2026-12-06T12:01:00.000Z', to: 'bob@example.com', subject: 'Your verification code', body: 'Your verification code is 654321. ', code: '654321' });
    return { stateDir, logged };
  };

  it('when the stack sent them, then each was one line on its log', async () => {
    const { logged } = await withMail();
    expect(logged).toEqual([
      'mail to ada@example.com: Your verification code (code 123456); npm run mail shows it',
      'mail to bob@example.com: Your verification code (code 654321); npm run mail shows it',
    ]);
  });

  it('when `npm run mail -- --to` names one address, then only its messages are printed', async () => {
    const { stateDir } = await withMail();
    const { code, stdout } = await run(['--to', 'ADA@example.com'], stateDir);
    expect(code).toBe(0);
    expect(stdout).toContain('code: 123456');
    expect(stdout).not.toContain('654321');
  });

  it('when --json is given, then one message per line', async () => {
    const { stateDir } = await withMail();
    const lines = (await run(['--json'], stateDir)).stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { code: string }).code)).toEqual(['123456', '654321']);
  });

  it('when the mailbox is empty, then it says so', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'mail-cli-'));
    dirs.push(stateDir);
    expect((await run([], stateDir)).stdout).toBe('The mailbox is empty.\n');
  });
});
