// Exactly the tools the customer's gateway lists (preview_customer_tools), on the customer page
// and beside the exposure editor.
import type { ToolInput } from '../../../../shared/registry';
import { Badge } from '../../../common/controls';
import { Empty, QueryState } from '../../../common/feedback';
import { useTool } from '../../../common/queries';
import { VirtualList } from '../../../common/virtual-list';

/** The contract's wording (CONTRACT §4): the same text the gateway's instructions give. */
export const NO_TOOLS = 'No tools configured. Click Configure to enable connectors.';

const ROW_HEIGHT = 40;

export type PreviewDraft = NonNullable<ToolInput<'preview_customer_tools'>['draft']>;

/** The saved tool list, or — with a draft — the list the gateway would serve once it is saved. */
export function usePreview(customerId: string, draft?: PreviewDraft) {
  return useTool(
    'preview_customer_tools',
    { customer_id: customerId, ...(draft ? { draft } : {}) },
    { placeholderData: (previous) => previous },
  );
}

export function ToolPreview({
  customerId,
  compact,
  draft,
}: {
  customerId: string;
  compact?: boolean;
  draft?: PreviewDraft;
}) {
  const preview = usePreview(customerId, draft);
  const p = preview.data;
  return (
    <>
      <QueryState query={preview} what="the customer's tools" />
      {p && (
        <>
          {p.tools.length === 0 ? (
            <Empty>{NO_TOOLS}</Empty>
          ) : (
            <>
              <p className="muted" role="status">
                {p.tools.length === 1 ? '1 tool' : `${p.tools.length} tools`}
                {p.mode === 'search'
                  ? ' — served in search mode: agents get search_tools, describe_tool and call_tool, and find these through them.'
                  : ' — listed to agents directly.'}
              </p>
              <VirtualList
                label="Tools"
                items={p.tools}
                rowHeight={ROW_HEIGHT}
                height={Math.min(compact ? 320 : 420, p.tools.length * ROW_HEIGHT + 2)}
                renderRow={(t) => (
                  <div className={compact ? 'action-row' : 'tool-row'}>
                    <code title={t.description}>{t.name}</code>
                    {!compact && (
                      <span className="muted">
                        {t.connector_id} › {t.action}
                      </span>
                    )}
                    {!compact && (
                      <span>
                        {t.connected ? (
                          <Badge tone="ok">connected</Badge>
                        ) : (
                          <Badge tone="warn">not connected</Badge>
                        )}
                      </span>
                    )}
                  </div>
                )}
              />
            </>
          )}
          {p.unconnected_connectors.length > 0 && (
            <p className="field-hint">
              Exposed but not connected (their calls answer with a connect link):{' '}
              {p.unconnected_connectors.join(', ')}.
            </p>
          )}
        </>
      )}
    </>
  );
}
