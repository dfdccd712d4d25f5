import { Page } from '../../common/page';

export default function ConnectorsPage() {
  return (
    <Page title="Connectors">
      <p>Coming in this issue.</p>
    </Page>
  );
}
