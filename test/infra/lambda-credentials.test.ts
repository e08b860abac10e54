import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlingOptions } from '../../infra/constructs/service-function.js';
import { REPO_ROOT } from '../../infra/paths.js';
import { credentialsTreatedAsExpired, credentialsWillNeedRefresh } from '../../resolvers/shared/lambda-credentials.js';

/** A function's SDK client asking for its credentials, as it does before its first request. */
const PROBE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'us-east-1' });
try {
  const { accessKeyId, secretAccessKey, sessionToken } = await client.config.credentials();
  console.log(JSON.stringify({ accessKeyId, secretAccessKey, sessionToken }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
`;

describe('given an SDK client bundled with the functions\' bundling options (the credential chain aliased to lambda-credentials.ts)', () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lambda-credentials-'));
    bundle = path.join(dir, 'probe.mjs');
    const options = bundlingOptions(false);
    await build({
      stdin: { contents: PROBE, resolveDir: REPO_ROOT, loader: 'js' },
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: options.target,
      minify: options.minify,
      mainFields: options.mainFields,
      banner: options.banner === undefined ? {} : { js: options.banner },
      alias: { ...options.alias },
      logLevel: 'silent',
    });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string>) => {
    // HOME points at an empty directory: no shared config or credentials file can answer.
    const child = spawnSync(process.execPath, [bundle], { env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env }, encoding: 'utf8' });
    return JSON.parse(child.stdout.trim()) as Record<string, string>;
  };

  it('when Lambda has set the role\'s credentials in the environment, then the client uses them', () => {
    const resolved = run({ AWS_ACCESS_KEY_ID: 'AKIDLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    expect(resolved).toEqual({ accessKeyId: 'AKIDLAMBDA', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('when the environment has none, then the client fails with the SDK\'s credentials error, naming the environment', () => {
    const resolved = run({});
    expect(resolved['error']).toBe('CredentialsProviderError');
    expect(resolved['message']).toMatch(/environment variable credentials/);
  });

  it('when a profile is named, then it is not read: the bundle has no shared-file provider to read it with', () => {
    const resolved = run({ AWS_PROFILE: 'developer', AWS_ACCESS_KEY_ID: 'AKIDLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret' });
    expect(resolved['accessKeyId']).toBe('AKIDLAMBDA');
  });
});

describe('given credentials with and without an expiration', () => {
  const soon = new Date(Date.now() + 60_000);
  const later = new Date(Date.now() + 3_600_000);

  it('then only those with one need refreshing, and they count as expired in the last five minutes', () => {
    expect(credentialsWillNeedRefresh({ accessKeyId: 'a', secretAccessKey: 's' })).toBe(false);
    expect(credentialsWillNeedRefresh({ accessKeyId: 'a', secretAccessKey: 's', expiration: later })).toBe(true);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 's', expiration: soon })).toBe(true);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 's', expiration: later })).toBe(false);
  });
});
