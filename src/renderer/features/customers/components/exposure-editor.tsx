// Configure: which connectors (and actions) a customer's gateway exposes and how (tool mode),
// saved with configure_customer_tools. The panel beside the form is live: preview_customer_tools
// with the unsaved draft lists exactly what the gateway will serve once it is saved.
import { useEffect, useId, useState } from 'react';
import { Dialog } from '../../../common/dialog';
import { ErrorMessage, useToast } from '../../../common/feedback';
import { useToolMutation } from '../../../common/queries';
import {
  configureInput,
  draftFrom,
  type Exposure,
  type ExposureDraft,
  isDirty,
  type ToolMode,
} from '../lib/exposure-draft';
import { ConnectorChecklist } from './connector-checklist';
import { ToolPreview } from './tool-preview';

const TOOL_MODES: { value: ToolMode; label: string; hint: string }[] = [
  { value: 'direct', label: 'Direct', hint: 'every tool is listed to the agent' },
  { value: 'search', label: 'Search', hint: 'search_tools, describe_tool and call_tool instead of the list' },
  { value: 'auto', label: 'Auto', hint: 'direct, switching to search above 40 tools' },
];

export function ExposureEditor({
  open,
  onClose,
  customer,
  connected,
}: {
  open: boolean;
  onClose(): void;
  customer: { id: string; name: string; exposure: Exposure };
  connected: ReadonlySet<string>;
}) {
  const id = useId();
  const toast = useToast();
  const configure = useToolMutation('configure_customer_tools');
  const [draft, setDraft] = useState<ExposureDraft>(() => draftFrom(customer.exposure));
  const { exposure } = customer;
  // Each time it opens, start from what is saved.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on opening, not on every refetch.
  useEffect(() => {
    if (open) setDraft(draftFrom(exposure));
  }, [open]);
  const dirty = isDirty(draft, exposure);
  const { customer_id: _, ...previewDraft } = configureInput(customer.id, draft);
  const close = () => {
    configure.reset();
    onClose();
  };
  const save = () =>
    configure.mutate(configureInput(customer.id, draft), {
      onSuccess: (saved) => {
        setDraft(draftFrom(saved.exposure));
        toast.success(`Saved the tools of “${saved.name}”.`);
      },
      onError: (e) => toast.error(e),
    });
  return (
    <Dialog open={open} onClose={close} title={`Configure tools — ${customer.name}`} wide>
      <div className="exposure-layout">
        <div>
          <fieldset>
            <legend>Expose</legend>
            <label className="choice">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={draft.mode === 'all'}
                onChange={() => setDraft({ ...draft, mode: 'all' })}
              />
              All connectors{' '}
              <span className="field-hint">— every connector the customer has a connection for</span>
            </label>
            <label className="choice">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={draft.mode === 'selected'}
                onChange={() => setDraft({ ...draft, mode: 'selected' })}
              />
              Selected only <span className="field-hint">— the connectors checked below</span>
            </label>
          </fieldset>
          <ConnectorChecklist draft={draft} onChange={setDraft} connected={connected} />
          <fieldset>
            <legend>Tool mode</legend>
            {TOOL_MODES.map((m) => (
              <label key={m.value} className="choice">
                <input
                  type="radio"
                  name={`${id}-tool-mode`}
                  checked={draft.toolMode === m.value}
                  onChange={() => setDraft({ ...draft, toolMode: m.value })}
                />
                {m.label} <span className="field-hint">— {m.hint}</span>
              </label>
            ))}
          </fieldset>
        </div>
        <section className="preview-panel" aria-labelledby={`${id}-preview`}>
          <h3 id={`${id}-preview`}>Tools the gateway lists</h3>
          <p className="field-hint">
            {dirty
              ? 'Unsaved changes: exactly what agents will get once you save.'
              : 'Exactly what agents get now, from the saved settings.'}
          </p>
          <ToolPreview customerId={customer.id} compact {...(dirty ? { draft: previewDraft } : {})} />
        </section>
      </div>
      <ErrorMessage error={configure.error} title="Not saved" />
      <footer className="dialog-footer">
        <button type="button" className="secondary" onClick={close}>
          Done
        </button>
        <button type="button" disabled={!dirty || configure.isPending} onClick={save}>
          {configure.isPending ? 'Saving…' : 'Save'}
        </button>
      </footer>
    </Dialog>
  );
}
