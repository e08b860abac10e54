import { signOut } from 'aws-amplify/auth';
import { Suspense, lazy } from 'react';
import type { ConsoleConfig } from './lib/config.ts';
import { useConnection } from './lib/connection.ts';
import { type Page, pathOf, useRoute } from './lib/route.ts';
import { useSession } from './lib/session.ts';
import { Files } from './pages/Files.tsx';
import { Orders } from './pages/Orders.tsx';

// Loaded when opened: GraphiQL and its editor are most of the console's code.
const Explorer = lazy(() => import('./pages/Explorer.tsx'));
const Local = lazy(() => import('./pages/Local.tsx'));
const SignIn = lazy(() => import('./SignIn.tsx'));

const TITLES: Record<Page, string> = { files: 'Files', orders: 'Orders', explorer: 'Explorer', local: 'Local stack' };

export function App({ config }: { config: ConsoleConfig }) {
  const [page, navigate] = useRoute();
  const connection = useConnection();
  const session = useSession();
  const pages: Page[] = config.developer ? ['files', 'orders', 'explorer', 'local'] : ['files', 'orders', 'explorer'];
  if (session === undefined) return null;
  if (session === null) {
    return (
      <Suspense fallback={<p>Loading…</p>}>
        <SignIn />
      </Suspense>
    );
  }
  return (
    <div className="shell">
      <header className="top">
        <span className="brand">AppSync stack</span>
        <nav aria-label="Main">
          <ul>
            {pages.map((p) => (
              <li key={p}>
                <a
                  href={pathOf(p)}
                  aria-current={p === page ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(p);
                  }}
                >
                  {TITLES[p]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">{session.name}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {connection === 'lost' && (
        <div className="banner" role="alert">
          The stack cannot be reached. Live updates resume when it is back.
        </div>
      )}
      <main className="page" id="main">
        <h1>{TITLES[page]}</h1>
        <Suspense fallback={<p>Loading…</p>}>
          {page === 'files' && <Files />}
          {page === 'orders' && <Orders />}
          {page === 'explorer' && <Explorer config={config} />}
          {page === 'local' && config.developer && <Local config={config} />}
        </Suspense>
      </main>
    </div>
  );
}
