import { useCallback, useEffect, useState } from 'react';

export type Page = 'files' | 'orders' | 'explorer' | 'local';

const PATHS: Record<string, Page> = {
  '/': 'files',
  '/files': 'files',
  '/orders': 'orders',
  '/explorer': 'explorer',
  // A browser opening the GraphQL endpoint itself gets the explorer (the stack serves the console there for Accept: text/html).
  '/graphql': 'explorer',
  '/local': 'local',
};

export const pathOf = (page: Page): string => `/${page}`;
const pageAt = (path: string): Page => PATHS[path] ?? 'files';

/**
 * The page is the URL's path, so a reload, a link or a sign-in after the session expired lands
 * on the same page.
 */
export function useRoute(): [Page, (page: Page) => void] {
  const [page, setPage] = useState<Page>(() => pageAt(window.location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageAt(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: Page) => {
    if (window.location.pathname !== pathOf(next)) window.history.pushState(null, '', pathOf(next));
    setPage(next);
  }, []);
  return [page, navigate];
}
