import { Page } from '../../common/page';

export function OverviewPage() {
  return (
    <Page title="Overview">
      <p>Coming in this issue.</p>
    </Page>
  );
}
