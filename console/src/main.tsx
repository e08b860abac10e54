import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { configure } from './lib/config.ts';

performance.mark('console:start');
const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);

configure().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="page">
        <h1>The console could not start</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}: is the stack running?</p>
      </main>,
    ),
);
