import { Hub } from 'aws-amplify/utils';
import { useEffect, useState } from 'react';

/**
 * True once AppSync acknowledged a subscription to `field` (Amplify reports each `start_ack` on
 * the Hub's 'api' channel): AppSync delivers nothing published before it, so an upload waits.
 */
export function useSubscriptionAck(field: string): boolean {
  const [acked, setAcked] = useState(false);
  useEffect(
    () =>
      Hub.listen('api', ({ payload }) => {
        const data = payload.data as { query?: string } | undefined;
        if (payload.event === 'Subscription ack' && (data?.query ?? '').includes(field)) setAcked(true);
      }),
    [field],
  );
  return acked;
}
