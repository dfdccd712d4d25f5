// The workspace UI: the same React app in the Electron window (IPC, no sign-in) and in
// `portico serve`'s web UI (/api behind a session cookie). The connect page stands apart: a
// customer opens it from a connect link, without signing in.
import { lazy, Suspense } from 'react';
import { Route, Router, Switch } from 'wouter';
import { Loading } from './common/feedback';
import { useHashPath } from './common/router';
import { useSession } from './common/session';
import { Shell } from './common/shell';
import { ConnectPage } from './features/connect/connect-page';
import { LoginPage } from './features/login/login-page';
import { OverviewPage } from './features/overview/overview-page';

// Each area loads when first opened: the first paint carries only the shell and the overview.
const ClientsPage = lazy(() => import('./features/clients/clients-page'));
const KeysPage = lazy(() => import('./features/keys/keys-page'));
const CustomersPage = lazy(() => import('./features/customers/customers-page'));
const CustomerPage = lazy(() => import('./features/customers/customer-page'));
const ConnectorsPage = lazy(() => import('./features/connectors/connectors-page'));
const ConnectorPage = lazy(() => import('./features/connectors/connector-page'));
const WebhooksPage = lazy(() => import('./features/webhooks/webhooks-page'));
const ActivityPage = lazy(() => import('./features/activity/activity-page'));
const ApprovalsPage = lazy(() => import('./features/approvals/approvals-page'));
const ToolChangesPage = lazy(() => import('./features/tool-changes/tool-changes-page'));
const ConsentPage = lazy(() => import('./features/consent/consent-page'));

function NotFound() {
  return (
    <section className="page">
      <h1 id="page-title">Not found</h1>
      <p>
        There is no page here. <a href="#/">Go to the overview</a>.
      </p>
    </section>
  );
}

function Routes() {
  return (
    <Suspense fallback={<Loading />}>
      <Switch>
        <Route path="/" component={OverviewPage} />
        <Route path="/clients" component={ClientsPage} />
        <Route path="/keys" component={KeysPage} />
        <Route path="/customers" component={CustomersPage} />
        <Route path="/customers/:id">{(params) => <CustomerPage id={decodeURIComponent(params.id)} />}</Route>
        <Route path="/connectors" component={ConnectorsPage} />
        <Route path="/connectors/:id">
          {(params) => <ConnectorPage id={decodeURIComponent(params.id)} />}
        </Route>
        <Route path="/webhooks" component={WebhooksPage} />
        <Route path="/activity" component={ActivityPage} />
        <Route path="/approvals" component={ApprovalsPage} />
        <Route path="/tool-changes" component={ToolChangesPage} />
        <Route path="/consent/:id">{(params) => <ConsentPage id={decodeURIComponent(params.id)} />}</Route>
        <Route path="/login">{() => <OverviewPage />}</Route>
        <Route component={NotFound} />
      </Switch>
    </Suspense>
  );
}

export function App() {
  const [path] = useHashPath();
  const session = useSession();
  if (path === '/connect') return <ConnectPage />;
  if (session.state.status === 'checking') return <Loading what="Signing in" />;
  if (session.state.status === 'signed-out')
    return <LoginPage message={session.state.message} signInWithKey={session.signInWithKey} />;
  return (
    <Router hook={useHashPath}>
      <Shell onSignOut={session.signOut}>
        <Routes />
      </Shell>
    </Router>
  );
}
