import { Page } from '../../common/page';

export default function WebhooksPage() {
  return (
    <Page title="Webhooks">
      <p>Coming in this issue.</p>
    </Page>
  );
}
