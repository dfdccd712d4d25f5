// Every call on both planes, newest first and live: the server's activity notice refetches the
// list (no polling). Filters are list_activity's own and live in the address; the search box
// narrows the rows already loaded; exports page through everything the filters select.
import { useMemo, useState } from 'react';
import { Field } from '../../common/controls';
import { Empty, QueryState } from '../../common/feedback';
import { Page, Section } from '../../common/page';
import { useToolPages } from '../../common/queries';
import { navigate, useHashQuery } from '../../common/router';
import { ActivityDetail } from './components/activity-detail';
import { ActivityFilters } from './components/activity-filters';
import { ActivityTable } from './components/activity-table';
import { ExportControls } from './components/export-controls';
import {
  type ActivityEntry,
  type FilterValues,
  filtersFromQuery,
  filtersToQuery,
  matchesSearch,
  toolInput,
} from './lib/filters';
import './activity.css';

const PAGE = 100;

export default function ActivityPage() {
  const queryText = useHashQuery().toString();
  // One object per address: the filter bar resets its draft only when the applied filters change.
  const values = useMemo(() => filtersFromQuery(new URLSearchParams(queryText)), [queryText]);
  const input = toolInput(values);
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<ActivityEntry | undefined>();
  const pages = useToolPages('list_activity', { ...input, limit: PAGE });
  const loaded = pages.data?.pages.flatMap((p) => p.entries) ?? [];
  const rows = search.trim() ? loaded.filter((e) => matchesSearch(e, search)) : loaded;
  const apply = (next: FilterValues) => {
    const text = filtersToQuery(next);
    navigate(text ? `/activity?${text}` : '/activity', { replace: true });
  };

  return (
    <Page title="Activity">
      <Section title="Filters">
        <ActivityFilters value={values} onApply={apply} />
      </Section>
      <Section title="Calls">
        <div className="activity-search">
          <Field label="Search" hint="Matches tool, customer, key and error text in the rows loaded below.">
            {(props) => (
              <input
                {...props}
                type="search"
                placeholder="Search the loaded rows…"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            )}
          </Field>
          <ExportControls filters={input} search={search} />
        </div>
        <QueryState query={pages} what="activity" />
        {pages.data &&
          (rows.length === 0 ? (
            <Empty>
              {loaded.length === 0
                ? 'No calls match these filters yet. New calls appear here as they happen.'
                : 'No loaded row matches the search. Load more rows, or change the search.'}
            </Empty>
          ) : (
            <ActivityTable entries={rows} onOpen={setOpen} />
          ))}
        {pages.data && (
          <div className="activity-more">
            <span className="muted">
              {search.trim()
                ? `${rows.length} of ${loaded.length} loaded rows match`
                : `${loaded.length} rows loaded`}
              {pages.hasNextPage ? '; older calls are on the next pages.' : '.'} New calls appear at the top
              by themselves.
            </span>
            {pages.hasNextPage && (
              <button
                type="button"
                className="secondary"
                disabled={pages.isFetchingNextPage}
                onClick={() => void pages.fetchNextPage()}
              >
                {pages.isFetchingNextPage ? 'Loading…' : 'Load older calls'}
              </button>
            )}
          </div>
        )}
      </Section>
      <ActivityDetail entry={open} onClose={() => setOpen(undefined)} />
    </Page>
  );
}
