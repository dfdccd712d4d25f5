// Renderer entry. The preamble import sets up React Fast Refresh from a module, because
// the CSP blocks the inline script the React plugin would otherwise inject in dev; in
// a production build it is empty.
import '@vitejs/plugin-react/preamble';
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
