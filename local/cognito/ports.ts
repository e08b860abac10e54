/**
 * What the Cognito core depends on, as interfaces: where users live, where codes are sent, the
 * clock and the token signer. `files.ts` implements them on the state folder; unit tests use
 * in-memory ones.
 */
import type { Verifier } from './srp.js';

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';

export interface PendingCode {
  readonly purpose: 'confirm-sign-up' | 'reset-password' | 'verify-email';
  readonly code: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface UserRecord {
  /** The internal username (a UUID equal to `sub` when email or phone is the username). */
  readonly username: string;
  readonly sub: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly status: UserStatus;
  readonly enabled: boolean;
  readonly verifier: Verifier;
  /** Epoch ms when a temporary password (AdminCreateUser) stops working. */
  readonly temporaryPasswordExpiresAt: number | undefined;
  readonly groups: readonly string[];
  readonly code: PendingCode | undefined;
  readonly failedSignIns: number;
  /** Epoch ms until which sign-in is refused ("Password attempts exceeded"). */
  readonly lockedUntil: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the token: the token itself is never stored. */
  readonly hash: string;
  readonly username: string;
  readonly clientId: string;
  readonly originJti: string;
  readonly authTime: number;
  /** Epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly revoked: boolean;
}

/** One pool's users, groups' members and refresh tokens; writes are durable when they resolve. */
export interface UserStore {
  get(username: string): UserRecord | undefined;
  all(): readonly UserRecord[];
  put(user: UserRecord): Promise<void>;
  delete(username: string): Promise<void>;
  refreshToken(hash: string): RefreshTokenRecord | undefined;
  refreshTokensOf(username: string): readonly RefreshTokenRecord[];
  putRefreshToken(record: RefreshTokenRecord): Promise<void>;
  /** Access tokens whose `origin_jti` was revoked (RevokeToken). */
  isOriginRevoked(originJti: string): boolean;
  revokeOrigin(originJti: string): Promise<void>;
}

export interface MailMessage {
  readonly at: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly code: string;
}

export interface Mailbox {
  send(message: MailMessage): Promise<void>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface TokenSigner {
  readonly issuer: string;
  sign(claims: Readonly<Record<string, unknown>>, expiresInSeconds: number, issuedAt: number): Promise<string>;
  /** The claims of a token this signer issued, or undefined when its signature, issuer or expiry is wrong. */
  verify(token: string): Promise<{ readonly claims: Readonly<Record<string, unknown>>; readonly expired: boolean } | undefined>;
}
