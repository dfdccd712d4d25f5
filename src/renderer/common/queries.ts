// Server state through TanStack Query, keyed by tool and input: every list, page and detail is a
// registry call. Mutations refetch everything they may have touched; the live stream (./live)
// refetches on changes made elsewhere (another tab, the CLI, an agent over /mcp/admin).
import {
  type QueryClient,
  type UseQueryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { ToolInput, ToolName, ToolOutput } from '../../shared/registry';
import { callTool } from './registry';

/** Tools whose results change with every recorded call, not with the workspace. */
export const ACTIVITY_TOOLS: ReadonlySet<string> = new Set([
  'list_activity',
  'get_activity_stats',
  'list_api_keys',
]);

export function toolKey<N extends ToolName>(name: N, input?: ToolInput<N>): readonly unknown[] {
  return input === undefined ? [name] : [name, input];
}

/** One registry read, cached and refetched on change. */
export function useTool<N extends ToolName>(
  name: N,
  input: ToolInput<N>,
  options: Omit<UseQueryOptions<ToolOutput<N>, Error>, 'queryKey' | 'queryFn'> = {},
) {
  return useQuery<ToolOutput<N>, Error>({
    queryKey: toolKey(name, input),
    queryFn: () => callTool(name, input),
    ...options,
  });
}

type PageInput<N extends ToolName> = Omit<ToolInput<N>, 'cursor'>;

/** A paginated list, page by page through the registry's cursors (for virtualized lists). */
export function useToolPages<N extends ToolName>(name: N, input: PageInput<N>) {
  return useInfiniteQuery({
    queryKey: [...toolKey(name, input as ToolInput<N>), 'pages'],
    queryFn: ({ pageParam }) =>
      callTool(name, { ...input, ...(pageParam ? { cursor: pageParam } : {}) } as ToolInput<N>),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last as { next_cursor?: string | null }).next_cursor ?? undefined,
  });
}

/** Refetches the workspace's reads (all, or only activity-driven ones). */
export function refetchTools(client: QueryClient, only?: 'activity'): Promise<void> {
  return client.invalidateQueries(
    only ? { predicate: (q) => ACTIVITY_TOOLS.has(String(q.queryKey[0])) } : undefined,
  );
}

/** A registry write; on success every read refetches (the change may show on several pages). */
export function useToolMutation<N extends ToolName>(name: N) {
  const client = useQueryClient();
  return useMutation<ToolOutput<N>, Error, ToolInput<N>>({
    mutationFn: (input) => callTool(name, input),
    onSuccess: () => void refetchTools(client),
  });
}
