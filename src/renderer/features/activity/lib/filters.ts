// The activity filters: list_activity's own filter inputs, kept in the page's address
// (`#/activity?outcome=error&customer_id=acme`) so a filtered view can be linked to and reloaded.

import type { ToolInput, ToolOutput } from '../../../../shared/registry';
import { ENTRY_POINTS } from '../../../../shared/schemas/activity';

export type ActivityEntry = ToolOutput<'list_activity'>['entries'][number];
export type ActivityFilterInput = Omit<ToolInput<'list_activity'>, 'cursor' | 'limit'>;

/** The form's values: every filter as text ('' = any); times as datetime-local values. */
export interface FilterValues {
  plane: string;
  entry_point: string;
  outcome: string;
  customer_id: string;
  tool: string;
  key_id: string;
  from: string;
  to: string;
}

export const FILTER_NAMES = [
  'plane',
  'entry_point',
  'outcome',
  'customer_id',
  'tool',
  'key_id',
  'from',
  'to',
] as const satisfies readonly (keyof FilterValues)[];

export const NO_FILTERS: FilterValues = {
  plane: '',
  entry_point: '',
  outcome: '',
  customer_id: '',
  tool: '',
  key_id: '',
  from: '',
  to: '',
};

export function filtersFromQuery(query: URLSearchParams): FilterValues {
  const values = { ...NO_FILTERS };
  for (const name of FILTER_NAMES) values[name] = query.get(name) ?? '';
  return values;
}

export function filtersToQuery(values: FilterValues): string {
  const query = new URLSearchParams();
  for (const name of FILTER_NAMES) if (values[name].trim()) query.set(name, values[name].trim());
  return query.toString();
}

/** A datetime-local value (the viewer's time zone) as the ISO time the registry takes. */
function isoTime(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

const oneOf = <T extends string>(options: readonly T[], value: string): T | undefined =>
  options.find((o) => o === value);

/** The list_activity input for the form's values (unknown select values are ignored). */
export function toolInput(values: FilterValues): ActivityFilterInput {
  const text = (v: string) => v.trim() || undefined;
  const input: ActivityFilterInput = {
    plane: oneOf(['admin', 'gateway'] as const, values.plane),
    entry_point: oneOf(ENTRY_POINTS, values.entry_point),
    outcome: oneOf(['ok', 'error'] as const, values.outcome),
    customer_id: text(values.customer_id),
    tool: text(values.tool),
    key_id: text(values.key_id),
    from: isoTime(values.from),
    to: isoTime(values.to),
  };
  // Absent, not undefined: the input is the query's key, and the server's schema is strict.
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ActivityFilterInput;
}

/** The search box: a case-insensitive match over a row's text fields (the loaded rows only). */
export function matchesSearch(entry: ActivityEntry, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [
    entry.tool,
    entry.customer_id,
    entry.key_id,
    entry.error,
    entry.entry_point,
    entry.plane,
    entry.outcome,
  ]
    .filter((v): v is string => typeof v === 'string')
    .some((v) => v.toLowerCase().includes(needle));
}
