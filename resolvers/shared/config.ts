/**
 * Configuration comes only from environment variables, so a handler runs unchanged on AWS and
 * in the local stack. The AWS SDK reads its own variables (AWS_REGION, AWS_ENDPOINT_URL_*,
 * credentials); this module reads the project's.
 */
import { ConfigurationError } from './errors.js';

export const DEFAULT_UPLOAD_TICKET_TTL_SECONDS = 900;
/** The longest a SigV4 presigned URL may live. */
const MAX_TICKET_TTL_SECONDS = 604_800;

type Env = Readonly<Record<string, string | undefined>>;

export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
}

/** UPLOAD_TICKET_TTL_SECONDS: an integer 1..604800; 900 when unset. */
export function uploadTicketTtlSeconds(env: Env = process.env): number {
  const raw = env['UPLOAD_TICKET_TTL_SECONDS'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_UPLOAD_TICKET_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_TICKET_TTL_SECONDS) {
    throw new ConfigurationError(
      `UPLOAD_TICKET_TTL_SECONDS must be an integer from 1 to ${MAX_TICKET_TTL_SECONDS}, got "${raw}"`,
    );
  }
  return value;
}
