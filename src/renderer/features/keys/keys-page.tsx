import { Page } from '../../common/page';

export default function KeysPage() {
  return (
    <Page title="API keys">
      <p>Coming in this issue.</p>
    </Page>
  );
}
