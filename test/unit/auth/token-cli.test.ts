import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '../../../local/auth/local-issuer.js';
import { LOCAL_CONFIG_FILE, runTokenCli, type LocalConfig } from '../../../local/cli/token.js';
import { aStateDir, removeStateDirs } from './given.js';

afterAll(removeStateDirs);

const run = async (argv: string[], stateDir: string) => {
  let stdout = '';
  let stderr = '';
  const code = await runTokenCli(argv, {
    env: { LOCAL_STATE_DIR: stateDir },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
};

const config: LocalConfig = { userPoolId: 'local_cli', userPoolClientId: 'cliclient', region: 'eu-west-1' };

describe('given a state directory the stack has started in', () => {
  const started = async () => {
    const stateDir = await aStateDir();
    await writeFile(join(stateDir, LOCAL_CONFIG_FILE), JSON.stringify(config));
    const stack = await createLocalIssuer({ stateDir, region: config.region, userPoolId: config.userPoolId, clientId: config.userPoolClientId });
    return { stateDir, stack };
  };

  it('when a token is asked for, then an ID token the stack verifies is printed', async () => {
    const { stateDir, stack } = await started();
    const { code, stdout } = await run(['alice', '--groups', 'admin, staff'], stateDir);
    expect(code).toBe(0);
    const { payload } = await jwtVerify(stdout.trim(), createLocalJWKSet(stack.jwks), {
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/local_cli',
      audience: 'cliclient',
    });
    expect(payload).toMatchObject({ token_use: 'id', 'cognito:username': 'alice', 'cognito:groups': ['admin', 'staff'] });
  });

  it('when --access is given, then the access token is printed', async () => {
    const { stateDir } = await started();
    const { stdout } = await run(['bob', '--access'], stateDir);
    expect(decodeJwt(stdout.trim())).toMatchObject({ token_use: 'access', username: 'bob', client_id: 'cliclient' });
  });

  it('when no username is given, then usage is shown and the exit code is 2', async () => {
    const { stateDir } = await started();
    const { code, stderr } = await run([], stateDir);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run token');
  });
});

describe('given a state directory the stack never started in', () => {
  it('when a token is asked for, then it says to start the stack once', async () => {
    const { code, stdout, stderr } = await run(['alice'], await aStateDir());
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/npm start/);
  });
});
