import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { type OperationTypeNode, getOperationAST, parse } from 'graphql';
import { type ComponentProps, useMemo, useRef, useState } from 'react';
import { type AuthMode, rawGraphql } from '../lib/api.ts';
import type { ConsoleConfig } from '../lib/config.ts';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const MODE_LABELS: Record<AuthMode, string> = {
  userPool: 'Signed-in user (Cognito user pool)',
  apiKey: 'API key',
  iam: 'IAM (local developer credentials)',
};

const DEFAULT_QUERY = `# Run with the button or Ctrl-Enter. The mode above decides how the request is signed.
query Catalog {
  products(limit: 5) {
    items { sku name stock }
  }
}
`;

const operationOf = (query: string, operationName: string | null | undefined): OperationTypeNode | undefined => {
  try {
    return getOperationAST(parse(query), operationName ?? undefined)?.operation;
  } catch {
    return undefined;
  }
};

/**
 * GraphiQL, bundled, against the stack's endpoint through the Amplify client: queries and
 * mutations over HTTP, subscriptions over AppSync's real-time protocol, each signed the way the
 * chosen mode says. A `?query=` in the URL opens with that document.
 */
export default function Explorer({ config }: { config: ConsoleConfig }) {
  const modes = useMemo<AuthMode[]>(() => {
    const available: AuthMode[] = ['userPool'];
    if (config.outputs.data.api_key) available.push('apiKey');
    if (config.developer) available.push('iam');
    return available;
  }, [config]);
  const [mode, setMode] = useState<AuthMode>('userPool');
  const modeRef = useRef(mode);
  modeRef.current = mode;
  const initialQuery = useMemo(() => new URLSearchParams(window.location.search).get('query') ?? DEFAULT_QUERY, []);

  const fetcher = useMemo<Fetcher>(
    () => (params) => {
      const variables = (params.variables ?? {}) as Record<string, unknown>;
      const result = rawGraphql(params.query, variables, modeRef.current);
      if (operationOf(params.query, params.operationName) !== 'subscription') {
        // Amplify rejects with the GraphQL result when it carries errors: GraphiQL shows it as is.
        return (result as Promise<unknown>).catch((error: unknown) => (typeof error === 'object' && error && 'errors' in error ? error : { errors: [{ message: String(error) }] })) as never;
      }
      const observable = result as Exclude<typeof result, Promise<unknown>>;
      return {
        subscribe: (observer: { next: (value: unknown) => void; error: (error: unknown) => void; complete: () => void }) =>
          observable.subscribe({
            next: (value) => observer.next(value),
            // Shown in the response pane rather than thrown: the error is the answer.
            error: (error) => observer.next(typeof error === 'object' && error && 'errors' in error ? error : { errors: [{ message: String(error) }] }),
            complete: () => observer.complete(),
          }),
      } as never;
    },
    [],
  );

  return (
    <div className="explorer">
      <p className="explorer-bar">
        <label htmlFor="auth-mode">Authorization</label>{' '}
        <select id="auth-mode" value={mode} onChange={(event) => setMode(event.target.value as AuthMode)}>
          {modes.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </select>{' '}
        <span className="hint">Endpoint: {config.outputs.data.url}</span>
      </p>
      <div className="graphiql-host">
        <GraphiQL fetcher={fetcher} initialQuery={initialQuery} defaultEditorToolsVisibility={true} />
      </div>
    </div>
  );
}
