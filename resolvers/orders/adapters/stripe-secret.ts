/**
 * The Stripe secret key, from Secrets Manager through Powertools' parameters utility: cached in
 * the execution environment for five minutes, so a warm function asks Secrets Manager at most
 * that often, and a rotated key is picked up within that time. The secret holds the key as plain
 * text (`sk_live_...`), or as JSON with a `secretKey` field.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../../shared/errors.js';

export const STRIPE_SECRET_MAX_AGE_SECONDS = 300;

export function stripeSecretKey(secretId: string, provider: SecretsProvider = new SecretsProvider()): () => Promise<string> {
  return async () => {
    const value = await provider.get(secretId, { maxAge: STRIPE_SECRET_MAX_AGE_SECONDS });
    const text = typeof value === 'string' ? value : value === undefined ? '' : Buffer.from(value).toString('utf8');
    let key = text.trim();
    if (key.startsWith('{')) {
      const parsed = JSON.parse(key) as { secretKey?: unknown };
      key = typeof parsed.secretKey === 'string' ? parsed.secretKey : '';
    }
    if (!/^(sk|rk)_/.test(key)) throw new ConfigurationError(`The secret ${secretId} does not hold a Stripe secret key (sk_... or rk_...)`);
    return key;
  };
}
