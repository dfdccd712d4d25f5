import { Page } from '../../common/page';

export default function CustomersPage() {
  return (
    <Page title="Customers">
      <p>Coming in this issue.</p>
    </Page>
  );
}
