import { Page } from '../../common/page';

export default function ActivityPage() {
  return (
    <Page title="Activity">
      <p>Coming in this issue.</p>
    </Page>
  );
}
