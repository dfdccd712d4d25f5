// Hash routes (`#/customers/acme`): the page is one file in the desktop app and one path (`/`) on
// the server, so the route lives in the fragment — with its query inside it (`#/connect?token=…`,
// the form Portico's links have), which wouter's own hash hook would treat as part of the path.
import { useSyncExternalStore } from 'react';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

const fragment = () => window.location.hash.replace(/^#?\/?/, '');
const currentPath = () => `/${fragment().split('?')[0] ?? ''}`;
const currentQuery = () => fragment().split('?')[1] ?? '';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const hash = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (options.replace) {
    window.history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = hash;
}

/** wouter's location hook: [path without the query, navigate]. */
export function useHashPath(): [string, (to: string, options?: { replace?: boolean }) => void] {
  return [useSyncExternalStore(subscribe, currentPath), navigate];
}
useHashPath.hrefs = (href: string) => `#${href}`;

/** The query inside the fragment (`#/connect?customer_id=…`). */
export function useHashQuery(): URLSearchParams {
  return new URLSearchParams(useSyncExternalStore(subscribe, currentQuery));
}
