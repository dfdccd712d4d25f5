import { Page } from '../../common/page';

export default function ConnectorPage({ id }: { id: string }) {
  return (
    <Page title={`Connector ${id}`}>
      <p>Coming in this issue.</p>
    </Page>
  );
}
