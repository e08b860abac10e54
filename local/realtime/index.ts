/**
 * AppSync's real-time WebSocket endpoint (subprotocol `graphql-ws`, AppSync's own protocol).
 * Wire it with `createRealtimeServer(options).handleUpgrade` on `/graphql/realtime` and `/graphql`.
 */
export { createRealtimeServer, REALTIME_PATHS, type RealtimeServer } from './ws.js';
export {
  makeRealtimeCore,
  REALTIME_DEFAULTS,
  type GraphqlHostOption,
  type RealtimeCore,
  type RealtimeLogger,
  type RealtimeOptions,
  type RealtimeSocket,
} from './server.js';
export {
  CloseCode,
  PROTOCOL,
  RealtimeErrorType,
  parseClientMessage,
  serializeServerMessage,
  type ClientMessage,
  type ParseResult,
  type ServerMessage,
} from './messages.js';
export { graphqlPathOf, type HandshakeRequest } from './auth.js';
