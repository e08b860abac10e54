/**
 * Configuration comes only from environment variables, so a handler runs unchanged on AWS and
 * in the local stack. The AWS SDK reads its own variables (AWS_REGION, AWS_ENDPOINT_URL_*,
 * credentials); each domain reads its own settings (resolvers/files/handlers/config.ts,
 * resolvers/orders/handlers/wiring.ts) with these.
 */
import { ConfigurationError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value;
}
