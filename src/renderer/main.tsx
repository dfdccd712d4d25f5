// Renderer entry. The preamble import sets up React Fast Refresh from a module, because
// the CSP blocks the inline script the React plugin would otherwise inject in dev; in
// a production build it is empty. zod-csp comes next: it configures zod before any schema is built.
import '@vitejs/plugin-react/preamble';
import './zod-csp';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ToastProvider } from './common/feedback';

const queries = new QueryClient({
  // Changes are pushed (./common/live), so nothing refetches on a timer or on focus.
  defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, retry: 1 } },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing its #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <ToastProvider>
        <App />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
