import { CONNECTION_STATE_CHANGE, type ConnectionState } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { useEffect, useState } from 'react';

export type Connection = 'connected' | 'lost';

const LOST: readonly string[] = ['ConnectionDisrupted', 'ConnectionDisruptedPendingNetwork', 'ConnectedPendingNetwork'];
const listeners = new Set<() => void>();
let lost = false;

/** Pages subscribe here to catch up (query again) when the real-time connection comes back. */
export function onReconnect(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Whether the stack is reachable, from Amplify's real-time connection state: Amplify itself
 * reconnects the subscriptions when the stack returns; the pages then query again for what
 * they may have missed (events are merged by key, so nothing shows twice).
 */
export function useConnection(): Connection {
  const [state, setState] = useState<Connection>('connected');
  useEffect(
    () =>
      Hub.listen('api', ({ payload }) => {
        if (payload.event !== CONNECTION_STATE_CHANGE) return;
        const next = (payload.data as { connectionState: ConnectionState }).connectionState;
        if (LOST.includes(next)) {
          lost = true;
          setState('lost');
        } else if (next === 'Connected') {
          if (lost) for (const listener of listeners) listener();
          lost = false;
          setState('connected');
        }
      }),
    [],
  );
  return state;
}
