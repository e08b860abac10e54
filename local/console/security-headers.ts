import { SECURITY_HEADERS, contentSecurityPolicy } from '../../infra/constructs/web-console-headers.js';

/**
 * Locally everything is on loopback: the stack's own port (GraphQL, real time, Cognito) and the
 * S3 gateway's (uploads, thumbnails), whichever name the page was opened with.
 */
const LOOPBACK = ['http://localhost:*', 'http://127.0.0.1:*'];
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy({
  connect: [...LOOPBACK, 'ws://localhost:*', 'ws://127.0.0.1:*', 'wss://localhost:*', 'wss://127.0.0.1:*'],
  images: LOOPBACK,
});
export { SECURITY_HEADERS };
