import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedApp, startApp } from '../apps/start-app.js';
import { type Credentials, graphql } from '../support/graphql-client.js';
import { RealtimeClient } from '../support/realtime-client.js';

/**
 * test/apps/lambda-chat: direct Lambda resolvers on a `NodejsFunction` (bundled by aws-cdk-lib
 * with esbuild, as `cdk synth` does, using the AWS SDK against the app's table) and on a
 * `lambda.Function` with `Code.fromInline`, a Python function the local stack cannot run, and an
 * `@aws_subscribe` subscription filtered by argument. Started with `--app-dir`.
 */
let app: StartedApp;
let key: Credentials;
const run = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(app.graphqlUrl, key, query, variables);

beforeAll(async () => {
  app = await startApp('lambda-chat');
  key = { kind: 'apiKey', apiKey: app.apiKey };
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

describe('a Lambda app of its own folder (--app-dir)', () => {
  it('given the Python function, when the stack starts, then the table of what is not run names it and the field it serves', () => {
    expect(app.output()).toMatch(/Not run locally/);
    expect(app.output()).toMatch(/PythonFunction\w*\s+AWS::Lambda::Function \(python3\.12\)\s+runtime python3\.12: the local stack runs Node\.js functions only \(serves Query\.fromPython/);
  });

  it('given a subscriber to one room, when messages are posted to two rooms, then the NodejsFunction stores them and the subscriber gets its room only', async () => {
    const client = await RealtimeClient.connect({ realtimeUrl: app.realtimeUrl, graphqlUrl: app.graphqlUrl, credentials: key, caPath: app.caPath });
    try {
      expect((await client.start('s', 'subscription { onPostMessage(room: "a") { room text } }', {}, key)).type).toBe('start_ack');
      const posted = await run<{ postMessage: { room: string; text: string; id: string } }>('mutation { postMessage(room: "a", text: "hi") { room text id } }');
      expect(posted.errors).toBeUndefined();
      expect(posted.data?.postMessage).toMatchObject({ room: 'a', text: 'hi' });
      await run('mutation { postMessage(room: "b", text: "elsewhere") { room text } }');
      await run('mutation { postMessage(room: "a", text: "again") { room text } }');
      await client.until(() => (client.data('s').length === 2 ? true : undefined));
      expect(client.data('s').map((d) => (d['onPostMessage'] as { text: string }).text)).toEqual(['hi', 'again']);
      const listed = await run<{ messages: { text: string }[] }>('{ messages(room: "a") { text } }');
      expect(listed.data?.messages.map((m) => m.text)).toEqual(['hi', 'again']);
    } finally {
      client.close();
    }
  });

  it('given inline code, when its field is asked, then the function runs as Lambda would write it (index.js, CommonJS)', async () => {
    expect((await run<{ echo: { echoed: string } }>('{ echo(text: "hey") { echoed } }')).data?.echo).toEqual({ echoed: 'HEY' });
  });

  it('given the Python function, when its field is asked, then the field answers a clear error naming the runtime', async () => {
    const result = await run('{ fromPython }');
    expect(result.data).toEqual({ fromPython: null });
    expect(result.errors?.[0]?.errorType).toBe('UnsupportedRuntime');
    expect(result.errors?.[0]?.message).toMatch(/python3\.12/);
  });
});
