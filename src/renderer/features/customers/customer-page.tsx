import { Page } from '../../common/page';

export default function CustomerPage({ id }: { id: string }) {
  return (
    <Page title={`Customer ${id}`}>
      <p>Coming in this issue.</p>
    </Page>
  );
}
