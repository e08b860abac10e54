import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Credentials of an IAM caller (a backend, an operator, a test). */
export interface IamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
}

/**
 * The headers of a SigV4-signed POST of `body` to an AppSync endpoint `url` (service
 * `appsync`): what AppSync's IAM mode checks, over HTTP and in the real-time handshake
 * (`<graphql url>/connect` with body `{}`) and `start` messages.
 */
export async function signAppSyncRequest(url: string, body: string, credentials: IamCredentials): Promise<Record<string, string>> {
  const { host, pathname } = new URL(url);
  const signer = new SignatureV4({
    service: 'appsync',
    region: credentials.region,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: host,
      path: pathname,
      headers: { host, 'content-type': 'application/json; charset=UTF-8', accept: 'application/json, text/javascript' },
      body,
    }),
  );
  return signed.headers as Record<string, string>;
}
