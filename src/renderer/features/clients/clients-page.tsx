import { Page } from '../../common/page';

export default function ClientsPage() {
  return (
    <Page title="Clients">
      <p>Coming in this issue.</p>
    </Page>
  );
}
