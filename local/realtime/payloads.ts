/**
 * The `payload` of data frames: serialized once per payload object (an engine that hands the
 * same object to 1,000 subscribers pays for one `JSON.stringify`) and held back when too large.
 */
import type { SubscriptionPayload } from '../contracts.js';
import type { RealtimeLogger } from './options.js';

/** The `payload` JSON of a delivery, or null when it is too large (or not serializable). */
export type PayloadSerializer = (payload: SubscriptionPayload) => string | null;

export function makePayloadSerializer(maxBytes: number, log: RealtimeLogger): PayloadSerializer {
  const cache = new WeakMap<SubscriptionPayload, string | null>();
  return (payload) => {
    const cached = cache.get(payload);
    if (cached !== undefined) return cached;
    let json: string | null;
    try {
      json = JSON.stringify(payload);
    } catch (cause) {
      log.error('subscription payload is not serializable; not delivered', { cause: String(cause) });
      json = null;
    }
    // A UTF-16 code unit encodes to at most 3 UTF-8 bytes: count bytes only when it matters.
    if (json !== null && json.length * 3 > maxBytes) {
      const bytes = json.length > maxBytes ? json.length : Buffer.byteLength(json, 'utf8');
      if (bytes > maxBytes) {
        log.warn('subscription payload exceeds the size limit; not delivered', {
          bytes: bytes === json.length ? `>= ${bytes}` : bytes,
          maxPayloadBytes: maxBytes,
        });
        json = null;
      }
    }
    cache.set(payload, json);
    return json;
  };
}
