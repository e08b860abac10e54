/**
 * Rules about users that several operations share: finding a user by what was typed (username,
 * email/phone username, verified alias, sub), the password policy, attributes and codes.
 */
import { randomInt } from 'node:crypto';
import { invalidParameter, invalidPassword } from './errors.js';
import type { PoolConfig } from './pool-config.js';
import type { UserRecord, UserStore } from './ports.js';

export type AttributeList = readonly { readonly Name: string; readonly Value: string }[];

export const fold = (pool: PoolConfig, text: string): string => (pool.caseSensitive ? text : text.toLowerCase());

/** The user a sign-in name refers to: the internal username, the email/phone username, a verified alias or the sub. */
export function findUser(pool: PoolConfig, store: UserStore, typed: string): UserRecord | undefined {
  const direct = store.get(fold(pool, typed));
  if (direct) return direct;
  const wanted = typed.toLowerCase();
  return store.all().find((user) => {
    if (user.sub === typed) return true;
    for (const attribute of pool.usernameAttributes) {
      if (user.attributes[attribute]?.toLowerCase() === wanted) return true;
    }
    for (const attribute of pool.aliasAttributes) {
      if (user.attributes[attribute]?.toLowerCase() === wanted && user.attributes[`${attribute}_verified`] === 'true') return true;
    }
    return false;
  });
}

const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');

/** The first rule of the pool's policy that `password` breaks, as Cognito words it. */
export function checkPassword(pool: PoolConfig, password: unknown, field = 'password'): string {
  if (typeof password !== 'string' || password.length === 0) {
    throw invalidParameter(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (password.length > 256 || /\s/.test(password.replace(/ /g, ''))) {
    throw invalidParameter(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+`);
  }
  const policy = pool.passwordPolicy;
  const rule =
    password.length < policy.minimumLength
      ? 'Password not long enough'
      : policy.requireUppercase && !/[A-Z]/.test(password)
        ? 'Password must have uppercase characters'
        : policy.requireLowercase && !/[a-z]/.test(password)
          ? 'Password must have lowercase characters'
          : policy.requireNumbers && !/[0-9]/.test(password)
            ? 'Password must have numeric characters'
            : policy.requireSymbols && ![...password].some((c) => SYMBOLS.has(c))
              ? 'Password must have symbol characters'
              : undefined;
  if (rule !== undefined) throw invalidPassword(`Password did not conform with policy: ${rule}`);
  return password;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[0-9]{4,15}$/;

/** Name/value pairs from a request, checked: known shapes, an email that looks like one. */
export function parseAttributes(value: unknown, field = 'userAttributes'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw invalidParameter(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be a list`);
  const result: Record<string, string> = {};
  for (const entry of value as unknown[]) {
    const { Name, Value } = (entry ?? {}) as { Name?: unknown; Value?: unknown };
    if (typeof Name !== 'string' || Name.length === 0) throw invalidParameter(`1 validation error detected: Value at '${field}.member.name' failed to satisfy constraint: Member must not be null`);
    const text = typeof Value === 'string' ? Value : '';
    if (Name === 'email' && !EMAIL.test(text)) throw invalidParameter('Invalid email address format.');
    if (Name === 'phone_number' && !PHONE.test(text)) throw invalidParameter('Invalid phone number format.');
    if (Name === 'sub') throw invalidParameter('Attributes did not conform to the schema: sub: Attribute cannot be updated.');
    result[Name] = text;
  }
  return result;
}

export const isEmail = (text: string): boolean => EMAIL.test(text);
export const isPhone = (text: string): boolean => PHONE.test(text);

/**
 * The internal username of a new user (SignUp, AdminCreateUser). With e-mail or phone as the
 * username, the typed name fills that attribute and the internal username is the sub, so the
 * address can change later while the user stays the same; with an e-mail alias, a username
 * shaped like an e-mail would make sign-in ambiguous and is refused.
 */
export function newUsername(pool: PoolConfig, typed: string, attributes: Record<string, string>, sub: string): string {
  if (pool.usernameAttributes.length === 0) {
    if (pool.aliasAttributes.includes('email') && isEmail(typed)) {
      throw invalidParameter('Username cannot be of email format, since user pool is configured for email alias.');
    }
    return fold(pool, typed);
  }
  if (pool.usernameAttributes.includes('email') && isEmail(typed)) attributes['email'] = typed;
  else if (pool.usernameAttributes.includes('phone_number') && isPhone(typed)) attributes['phone_number'] = typed;
  else throw invalidParameter(`Username should be ${pool.usernameAttributes.includes('email') ? 'an email' : 'a phone number'}.`);
  return sub;
}

/** A user as SignUp or AdminCreateUser makes one: enabled, in no group, no code pending, no failures. */
export function newUser(
  fields: Pick<UserRecord, 'username' | 'sub' | 'attributes' | 'status' | 'verifier' | 'temporaryPasswordExpiresAt'> & { readonly now: number },
): UserRecord {
  const { now, ...given } = fields;
  return { ...given, enabled: true, groups: [], code: undefined, failedSignIns: 0, lockedUntil: 0, createdAt: now, updatedAt: now };
}

export function requireAttributes(pool: PoolConfig, attributes: Readonly<Record<string, string>>): void {
  const missing = pool.requiredAttributes.filter((name) => !attributes[name]);
  if (missing.length > 0) {
    throw invalidParameter(`Attributes did not conform to the schema: ${missing.map((name) => `${name}: The attribute ${name} is required`).join(', ')}`);
  }
}

export const attributeList = (user: UserRecord): AttributeList => [
  { Name: 'sub', Value: user.sub },
  ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
];

/** `j***@e***.com`, as Cognito masks a destination. */
export function maskDestination(destination: string): string {
  const at = destination.indexOf('@');
  if (at < 0) return `+*******${destination.slice(-4)}`;
  const domain = destination.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${destination[0] ?? ''}***@${domain[0] ?? ''}***${dot >= 0 ? domain.slice(dot) : ''}`;
}

export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** The attribute codes go to: a pool's auto-verified email (no SMS locally). */
export function deliveryAttribute(user: UserRecord, requireVerified: boolean): 'email' | undefined {
  const email = user.attributes['email'];
  if (!email) return undefined;
  if (requireVerified && user.attributes['email_verified'] !== 'true') return undefined;
  return 'email';
}

export const userTimestamps = (user: UserRecord) => ({
  UserCreateDate: user.createdAt / 1000,
  UserLastModifiedDate: user.updatedAt / 1000,
});
