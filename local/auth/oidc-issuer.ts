/**
 * A local stand-in for the OPENID_CONNECT mode's identity provider: the template names an issuer
 * URL and a client id; locally, tokens for that issuer are signed with a key pair kept in the
 * state folder (as the user pool's are), and the authenticator verifies them with its public key.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, type JSONWebKeySet } from 'jose';
import { loadOrCreateSigningKey } from './local-issuer.js';

export interface OidcTokenInput {
  readonly sub: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Epoch seconds of `iat` and `auth_time`. @default now */
  readonly issuedAt?: number;
  /** @default 3600 */
  readonly ttlSeconds?: number;
}

export interface LocalOidcIssuer {
  readonly issuer: string;
  readonly clientId: string | undefined;
  readonly jwks: JSONWebKeySet;
  issueToken(input: OidcTokenInput): Promise<string>;
}

export async function createLocalOidcIssuer(options: {
  readonly stateDir: string;
  readonly issuer: string;
  readonly clientId: string | undefined;
}): Promise<LocalOidcIssuer> {
  // Its own key pair: a user-pool token must not pass as an OIDC one, or the other way round.
  const key = await loadOrCreateSigningKey(join(options.stateDir, 'oidc'));
  return {
    issuer: options.issuer,
    clientId: options.clientId,
    jwks: { keys: [key.publicJwk] },
    async issueToken({ sub, claims, issuedAt, ttlSeconds }) {
      const iat = issuedAt ?? Math.floor(Date.now() / 1000);
      let token = new SignJWT({ ...claims, auth_time: iat })
        .setProtectedHeader({ kid: key.kid, alg: 'RS256' })
        .setIssuer(options.issuer)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (ttlSeconds ?? 3600))
        .setJti(randomUUID());
      if (options.clientId !== undefined) token = token.setAudience(options.clientId);
      return token.sign(key.privateKey);
    },
  };
}
