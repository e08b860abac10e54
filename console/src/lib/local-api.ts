import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { consoleConfig } from './config.ts';

/**
 * A SigV4-signed call to the local stack's `/_local/` API (local/console/operations.ts) with the
 * developer credentials: the same signing as AppSync's IAM mode, service `local-console`.
 */
export async function localApi<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { developer, outputs } = consoleConfig();
  if (!developer) throw new Error('Only the local stack has these pages');
  const url = new URL(path, window.location.origin);
  const text = body === undefined ? '' : JSON.stringify(body);
  const signer = new SignatureV4({ service: 'local-console', region: outputs.data.aws_region, credentials: developer, sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) },
      ...(text ? { body: text } : {}),
    }),
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
  const response = await fetch(url, { method, headers, ...(text ? { body: text } : {}) });
  const answer = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(answer.message ?? `HTTP ${response.status}`);
  return answer;
}
