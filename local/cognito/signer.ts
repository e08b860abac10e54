/**
 * The token signer port on the stack's user-pool key (`cognito-keys.json`, shared with
 * `npm run token` and the GraphQL endpoint's verification), with Cognito's issuer URL.
 */
import { SignJWT, createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { cognitoIssuerUrl, loadOrCreateSigningKey } from '../auth/local-issuer.js';
import type { TokenSigner } from './ports.js';

export async function createKeySigner(stateDir: string, region: string, userPoolId: string): Promise<TokenSigner & { readonly jwks: JSONWebKeySet }> {
  const key = await loadOrCreateSigningKey(stateDir);
  const issuer = cognitoIssuerUrl(region, userPoolId);
  const jwks: JSONWebKeySet = { keys: [key.publicJwk] };
  const keys = createLocalJWKSet(jwks);
  return {
    issuer,
    jwks,
    sign: (claims, expiresInSeconds, issuedAt) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ kid: key.kid, alg: 'RS256' })
        .setIssuer(issuer)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + expiresInSeconds)
        .sign(key.privateKey),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer, algorithms: ['RS256'] });
        return { claims: payload, expired: false };
      } catch (error) {
        // An expired token is still one of ours: the caller says "has expired", not "invalid".
        if (error instanceof errors.JWTExpired) return { claims: decodeJwt(token), expired: true };
        return undefined;
      }
    },
  };
}
