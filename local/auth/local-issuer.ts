/**
 * A local stand-in for a Cognito user pool's token endpoint: signs ID and access tokens with the
 * claims Cognito puts in them, using an RS256 key pair persisted in the state directory so the
 * running stack and `npm run token` share it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

export const COGNITO_KEYS_FILE = 'cognito-keys.json';
const ALG = 'RS256';
const TOKEN_TTL_SECONDS = 3600;

export interface LocalIssuerOptions {
  /** Directory holding `cognito-keys.json`; created if missing. */
  readonly stateDir: string;
  readonly region: string;
  readonly userPoolId: string;
  /** The user pool app client id: `aud` of ID tokens, `client_id` of access tokens. */
  readonly clientId: string;
}

export interface IssueTokensInput {
  readonly username: string;
  readonly groups?: readonly string[];
  readonly email?: string;
  /** Epoch seconds used as `iat`/`auth_time`. @default now (set it in tests to mint expired tokens) */
  readonly issuedAt?: number;
}

export interface IssuedTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Seconds, as Cognito's `ExpiresIn`. */
  readonly expiresIn: number;
}

export interface LocalIssuer {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  readonly issuer: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Public keys only, as the pool's `/.well-known/jwks.json` would serve them. */
  readonly jwks: JSONWebKeySet;
  issueTokens(input: IssueTokensInput): Promise<IssuedTokens>;
}

export class LocalIssuerKeyFileError extends Error {
  constructor(path: string, options?: { cause?: unknown }) {
    super(`${path} is not a valid key file; delete it to have a new key pair generated`, options);
    this.name = 'LocalIssuerKeyFileError';
  }
}

export const cognitoIssuerUrl = (region: string, userPoolId: string): string =>
  `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;

/**
 * The user's `sub`: a UUID (version 5 layout) derived from SHA-256 of pool id and username, so it
 * stays the same across restarts, processes and regenerated keys.
 */
export const stableSub = (userPoolId: string, username: string): string => {
  const bytes = createHash('sha256').update(`${userPoolId}\u0000${username}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

interface StoredKeys {
  readonly kid: string;
  readonly alg: typeof ALG;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

const isStoredKeys = (value: unknown): value is StoredKeys => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['kid'] === 'string' &&
    v['alg'] === ALG &&
    typeof v['privateJwk'] === 'object' &&
    v['privateJwk'] !== null &&
    typeof v['publicJwk'] === 'object' &&
    v['publicJwk'] !== null
  );
};

const generateStoredKeys = async (): Promise<StoredKeys> => {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg: ALG,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
  };
};

const readStoredKeys = async (path: string): Promise<StoredKeys | undefined> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new LocalIssuerKeyFileError(path, { cause });
  }
  if (!isStoredKeys(parsed)) throw new LocalIssuerKeyFileError(path);
  return parsed;
};

/**
 * Loads the key pair from `<stateDir>/cognito-keys.json`, generating and persisting it first if
 * the file does not exist. Creation is atomic (write a temp file, hard-link it into place), so two
 * processes starting together end up with the same key.
 */
export const loadOrCreateSigningKey = async (stateDir: string): Promise<SigningKey> => {
  const path = join(stateDir, COGNITO_KEYS_FILE);
  let stored = await readStoredKeys(path);
  if (stored === undefined) {
    await mkdir(stateDir, { recursive: true });
    const fresh = await generateStoredKeys();
    const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temp, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
    try {
      await link(temp, path);
      stored = fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      stored = await readStoredKeys(path);
      if (stored === undefined) throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }
  let privateKey: CryptoKey;
  try {
    const imported = await importJWK(stored.privateJwk, ALG);
    if (imported instanceof Uint8Array) throw new Error('expected an RSA private key');
    privateKey = imported;
  } catch (cause) {
    throw new LocalIssuerKeyFileError(path, { cause });
  }
  return { kid: stored.kid, privateKey, publicJwk: stored.publicJwk };
};

export const createLocalIssuer = async (options: LocalIssuerOptions): Promise<LocalIssuer> => {
  const { stateDir, region, userPoolId, clientId } = options;
  const key = await loadOrCreateSigningKey(stateDir);
  const issuer = cognitoIssuerUrl(region, userPoolId);

  const sign = (claims: Record<string, unknown>, iat: number): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader({ kid: key.kid, alg: ALG })
      .setIssuer(issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(key.privateKey);

  return {
    issuer,
    userPoolId,
    clientId,
    jwks: { keys: [key.publicJwk] },
    async issueTokens({ username, groups, email, issuedAt }) {
      if (username.length === 0) throw new TypeError('username must not be empty');
      const iat = issuedAt ?? Math.floor(Date.now() / 1000);
      const sub = stableSub(userPoolId, username);
      const originJti = randomUUID();
      const eventId = randomUUID();
      const groupClaim = groups !== undefined && groups.length > 0 ? { 'cognito:groups': [...groups] } : {};
      const idToken = await sign(
        {
          sub,
          ...groupClaim,
          ...(email !== undefined ? { email_verified: true } : {}),
          'cognito:username': username,
          origin_jti: originJti,
          aud: clientId,
          event_id: eventId,
          token_use: 'id',
          auth_time: iat,
          ...(email !== undefined ? { email } : {}),
        },
        iat,
      );
      const accessToken = await sign(
        {
          sub,
          ...groupClaim,
          client_id: clientId,
          origin_jti: originJti,
          event_id: eventId,
          token_use: 'access',
          scope: 'aws.cognito.signin.user.admin',
          auth_time: iat,
          username,
        },
        iat,
      );
      return { idToken, accessToken, expiresIn: TOKEN_TTL_SECONDS };
    },
  };
};
