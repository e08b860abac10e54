import '@aws-amplify/ui-react/styles.css';
import { Authenticator } from '@aws-amplify/ui-react';

/**
 * Amplify UI's Authenticator: sign up, confirm with the mailed code, sign in, reset the password.
 * Loaded only when nobody is signed in, so a signed-in user's first load carries none of it.
 * It renders nothing once signed in: the app hears Amplify's `signedIn` and shows the page.
 */
export default function SignIn() {
  return (
    <main className="sign-in">
      <h1 className="visually-hidden">Sign in to the console</h1>
      <Authenticator signUpAttributes={['email']}>{() => <p role="status">Signed in.</p>}</Authenticator>
    </main>
  );
}
