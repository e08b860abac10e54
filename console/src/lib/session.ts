import { getCurrentUser } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { useEffect, useState } from 'react';

/** Who is signed in: undefined while Amplify reads its stored session, null when nobody is. */
export type Session = { readonly name: string } | null | undefined;

const current = async (): Promise<Session> => {
  try {
    const user = await getCurrentUser();
    performance.mark('console:signed-in');
    return { name: user.signInDetails?.loginId ?? user.username };
  } catch {
    return null;
  }
};

/**
 * The signed-in user, following Amplify's auth events: a sign-out, or a session that cannot be
 * refreshed any more (expired), sends the user to sign in; the URL stays, so signing in again
 * lands on the same page.
 */
export function useSession(): Session {
  const [session, setSession] = useState<Session>(undefined);
  useEffect(() => {
    let live = true;
    const update = () => void current().then((next) => live && setSession(next));
    update();
    const stop = Hub.listen('auth', ({ payload }) => {
      if (payload.event === 'signedIn') update();
      if (payload.event === 'signedOut' || payload.event === 'tokenRefresh_failure') setSession(null);
    });
    return () => {
      live = false;
      stop();
    };
  }, []);
  return session;
}
