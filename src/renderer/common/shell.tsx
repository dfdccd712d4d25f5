// The frame around every signed-in page: navigation, the live-updates indicator, sign-out.
import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { PendingApprovalsCount } from '../features/approvals/pending-count';
import { PendingToolChangesCount } from '../features/tool-changes/pending-count';
import { type LiveState, useLiveUpdates } from './live';
import { inDesktop } from './registry';

const AREAS = [
  ['/', 'Overview'],
  ['/clients', 'Clients'],
  ['/keys', 'API keys'],
  ['/customers', 'Customers'],
  ['/connectors', 'Connectors'],
  ['/webhooks', 'Webhooks'],
  ['/activity', 'Activity'],
  ['/approvals', 'Approvals'],
  ['/tool-changes', 'Tool changes'],
] as const;

/** What needs a person's attention, counted beside its area's name. */
const COUNTS: Record<string, () => ReactNode> = {
  '/approvals': PendingApprovalsCount,
  '/tool-changes': PendingToolChangesCount,
};

function NavLink({ to, label }: { to: string; label: string }) {
  const [exact] = useRoute(to);
  const [nested] = useRoute(`${to}/*`);
  const active = exact || (to !== '/' && nested);
  const Count = COUNTS[to];
  return (
    <Link
      href={to}
      className={active ? 'nav-link active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
    >
      {label}
      {Count && <Count />}
    </Link>
  );
}

const LIVE_TEXT: Record<LiveState, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  offline: 'Not live — reload the page',
};

export function Shell({ children, onSignOut }: { children: ReactNode; onSignOut(): void }) {
  const live = useLiveUpdates(true);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Portico">
        <div className="brand">
          <img src="./favicon.svg" alt="" width="24" height="24" />
          <span>Portico</span>
        </div>
        <ul>
          {AREAS.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} label={label} />
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <span className={`live live-${live}`} role="status">
            {LIVE_TEXT[live]}
          </span>
          {!inDesktop && (
            <button type="button" className="secondary small" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </nav>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
