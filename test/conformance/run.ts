/**
 * `npm run test:conformance [-- --outputs <amplify_outputs.json>] [vitest args]`
 *
 * Without --outputs: the conformance suite against the local stack (the fixture app, started by
 * the suite's global setup). With --outputs: the same tests against a deployed copy of the
 * fixture app (test/conformance/fixture/app.ts), using AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 * (and AWS_SESSION_TOKEN) for IAM requests and to create the test users, and
 * CONFORMANCE_OIDC_TOKEN for the OIDC tests (skipped without it). Tests of local-only settings
 * (hot reload, an expired API key, the connection-init timeout) are skipped there.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { outputs: { type: 'string' } },
  allowPositionals: true,
  strict: false,
});

const env = { ...process.env };
if (typeof values.outputs === 'string') env['CONFORMANCE_OUTPUTS'] = resolve(values.outputs);

const child = spawn('npx', ['vitest', 'run', '--project', 'conformance', ...positionals], { stdio: 'inherit', env });
child.on('exit', (code) => process.exit(code ?? 1));
