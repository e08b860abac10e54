import { describe, expect, it } from 'vitest';
import { browserTarget } from '../support/browser.js';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { signAppSyncRequest } from '../../client/sign-request.js';

/** A GET signed as the console signs its local API calls (service local-console). */
async function signedGet(url: URL): Promise<Response> {
  const { developerCredentials, region } = browserTarget();
  const signer = new SignatureV4({ service: 'local-console', region, credentials: developerCredentials, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host } }),
  );
  return fetch(url, { headers: Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host')) });
}

/** How the local stack serves the console, over plain HTTP. */
describe('the console as the local stack serves it', () => {
  it('given a browser GET on /graphql (Accept: text/html), then it gets the console, which opens the explorer there; a GraphQL client still gets GraphQL', async () => {
    const { consoleUrl, graphqlUrl } = browserTarget();
    const page = await fetch(graphqlUrl, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    const home = await fetch(consoleUrl);
    expect(home.status).toBe(200);
    const api = await fetch(graphqlUrl, { method: 'GET', headers: { accept: 'application/json' } });
    expect(api.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it("given the console's configuration, then it is the stack's own amplify_outputs.json", async () => {
    const { consoleUrl, graphqlUrl } = browserTarget();
    const outputs = (await (await fetch(new URL('/amplify_outputs.json', consoleUrl))).json()) as { data: { url: string } };
    expect(outputs.data.url).toBe(graphqlUrl);
  });

  it('given the developer credentials, then only a same-origin request naming the stack by its loopback name reads them', async () => {
    const { consoleUrl, developerCredentials } = browserTarget();
    const url = new URL('/_local/credentials', consoleUrl);
    // After the stack's SDK clients have used them (a signed call), they still read as they are.
    expect((await signedGet(new URL('/_local/dead-letter-queues', consoleUrl))).status).toBe(200);
    const own = await fetch(url);
    expect(await own.json()).toEqual(developerCredentials);
    expect((await fetch(url, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await fetch(url, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
  });

  it('given the local operations API, then an unsigned request or one signed for another service is refused', async () => {
    const { consoleUrl, developerCredentials, region } = browserTarget();
    const url = new URL('/_local/dead-letter-queues', consoleUrl);
    expect((await fetch(url)).status).toBe(403);
    const wrong = await signAppSyncRequest(url.href, '', { ...developerCredentials, region });
    expect((await fetch(url, { headers: wrong })).status).toBe(403);
  });
});
