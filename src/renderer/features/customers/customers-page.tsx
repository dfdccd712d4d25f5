// Customers: a searchable list that stays fast with 10,000 of them (virtualized rows, fetched page
// by page through the registry's cursors), and creating a new one.
import { useState } from 'react';
import { Badge } from '../../common/controls';
import { Empty, QueryState } from '../../common/feedback';
import { Page } from '../../common/page';
import { useToolPages } from '../../common/queries';
import { VirtualList } from '../../common/virtual-list';
import { CreateCustomerDialog } from './components/create-customer-dialog';
import { useDebouncedValue } from './hooks/use-debounced-value';
import './customers.css';

// The registry's largest page: fewer round trips when someone drags the scrollbar to the end.
const PAGE_SIZE = 500;
const ROW_HEIGHT = 48;

export default function CustomersPage() {
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const query = useDebouncedValue(search.trim());
  const pages = useToolPages('list_customers', {
    limit: PAGE_SIZE,
    ...(query ? { query } : {}),
  });
  const customers = pages.data?.pages.flatMap((p) => p.customers) ?? [];
  const total = pages.data?.pages[0]?.total;
  return (
    <Page
      title="Customers"
      actions={
        <button type="button" onClick={() => setCreating(true)}>
          Create customer
        </button>
      }
    >
      <div className="customer-search field">
        <label htmlFor="customer-search">Search customers</label>
        <input
          id="customer-search"
          type="search"
          placeholder="Id or name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <QueryState query={pages} what="customers" />
      {pages.data &&
        (customers.length === 0 ? (
          <Empty>
            {query
              ? `No customer's id or name contains "${query}".`
              : 'No customers yet. Create one for each end organisation whose systems agents act in.'}
          </Empty>
        ) : (
          <>
            <div className="list-meta">
              <span role="status">
                {total === 1 ? '1 customer' : `${total?.toLocaleString()} customers`}
                {query ? ` matching "${query}"` : ''}
              </span>
              {pages.isFetchingNextPage && <span className="muted">Loading more…</span>}
            </div>
            <VirtualList
              label="Customer list"
              items={customers}
              rowHeight={ROW_HEIGHT}
              height={Math.min(560, customers.length * ROW_HEIGHT + 2)}
              hasMore={pages.hasNextPage && !pages.isFetchingNextPage}
              loadMore={() => void pages.fetchNextPage()}
              renderRow={(c) => (
                <div className="customer-row">
                  <a href={`#/customers/${encodeURIComponent(c.id)}`}>{c.name}</a>
                  <code>{c.id}</code>
                  <span>
                    <Badge tone={c.exposure.mode === 'selected' ? 'ok' : 'neutral'}>
                      {c.exposure.mode === 'selected'
                        ? `${c.exposure.connector_ids.length} selected`
                        : 'all connectors'}
                    </Badge>
                  </span>
                  <span className="muted">
                    {c.connection_count === 1 ? '1 connection' : `${c.connection_count} connections`}
                  </span>
                </div>
              )}
            />
          </>
        ))}
      <CreateCustomerDialog open={creating} onClose={() => setCreating(false)} />
    </Page>
  );
}
