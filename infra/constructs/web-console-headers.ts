/**
 * The web console's security headers, one list for both places that serve it: CloudFront's
 * response headers policy (infra/constructs/web-console.ts) and the local stack
 * (local/console/site.ts). Only where the page may connect and load images from differs.
 */
export interface CspSources {
  /** GraphQL over HTTP and WebSocket, Cognito, the uploads bucket. */
  readonly connect: readonly string[];
  /** Thumbnails: signed GETs from the uploads bucket. */
  readonly images: readonly string[];
}

export function contentSecurityPolicy(sources: CspSources): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Amplify UI and the explorer's editor set styles from script.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${sources.images.join(' ')}`,
    "font-src 'self' data:",
    `connect-src 'self' ${sources.connect.join(' ')}`,
    // The explorer's editor runs its language services in workers.
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers besides the CSP, as a browser should see them from either server. */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
} as const;
