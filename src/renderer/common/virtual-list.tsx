// Long lists (10,000 customers, a 1,223-action connector): only the visible rows are in the DOM
// (TanStack Virtual), and the next page is fetched through the registry's cursor as the end nears.
import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useRef } from 'react';

export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  label,
  hasMore,
  loadMore,
  height = 480,
}: {
  items: readonly T[];
  rowHeight: number;
  renderRow(item: T, index: number): ReactNode;
  /** The list's accessible name. */
  label: string;
  hasMore?: boolean;
  loadMore?(): void;
  height?: number;
}) {
  const parent = useRef<HTMLElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const rows = virtual.getVirtualItems();
  const last = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && loadMore && last >= items.length - 20) loadMore();
  }, [hasMore, loadMore, last, items.length]);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus so keyboard users can scroll it (axe: scrollable-region-focusable).
    <section ref={parent} className="virtual-scroll" aria-label={label} tabIndex={0} style={{ height }}>
      <ul className="virtual-inner" style={{ height: virtual.getTotalSize() }}>
        {rows.map((row) => (
          <li
            key={row.key}
            className="virtual-row"
            style={{ height: row.size, transform: `translateY(${row.start}px)` }}
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
          >
            {renderRow(items[row.index] as T, row.index)}
          </li>
        ))}
      </ul>
    </section>
  );
}
