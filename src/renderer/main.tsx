// Renderer entry. The preamble import sets up React Fast Refresh from a module, because
// the CSP blocks the inline script the React plugin would otherwise inject in dev; in
// a production build it is empty. zod-csp comes next: it configures zod before any schema is built.
import '@vitejs/plugin-react/preamble';
import './zod-csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing its #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
