import { localIssuer } from './target.js';

/** The claims of a JWT, unverified. */
export function claimsOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The `sub` claim of a user-pool token: the `owner` the backend writes on that user's files. */
export function subOf(token: string): string {
  const { sub } = claimsOf(token);
  if (typeof sub !== 'string') throw new Error('token has no sub claim');
  return sub;
}

/** `token` with its claims changed and its original signature kept: a forgery. */
export function withForgedClaims(token: string, changes: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...claimsOf(token), ...changes })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A correctly signed user-pool ID token for `username` that expired long ago. */
export async function expiredTokenFor(username: string): Promise<string> {
  const issuer = await localIssuer();
  const dayAgo = Math.floor(Date.now() / 1000) - 24 * 60 * 60;
  return (await issuer.issueTokens({ username, issuedAt: dayAgo })).idToken;
}
