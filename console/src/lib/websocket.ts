/**
 * aws-amplify v6 opens `wss://` for the real-time endpoint even when the GraphQL endpoint is
 * `http://`, and a browser refuses the local stack's self-signed certificate on a WebSocket
 * without telling the page. The stack serves the real-time protocol on `ws://` too, so when the
 * page itself came over plain `http:` (localhost is a secure context: no certificate needed),
 * a `wss://` URL to the stack's own host is opened as `ws://`. Anything else is untouched, and on
 * AWS (an `https:` page) this installs nothing.
 */
export function installLocalWebSocket(stackHost: string): void {
  if (window.location.protocol !== 'http:') return;
  const Native = window.WebSocket;
  class LocalStackWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      const target = new URL(url);
      if (target.protocol === 'wss:' && target.host === stackHost) target.protocol = 'ws:';
      super(target, protocols);
    }
  }
  window.WebSocket = LocalStackWebSocket;
}
