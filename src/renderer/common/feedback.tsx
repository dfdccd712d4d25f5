// Loading, empty and error states, and the toasts that report every mutation's outcome.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" aria-busy="true">
      {what}…
    </p>
  );
}

export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title}: </strong>}
      {message}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** What a query renders before it has data: a spinner line, or its error. */
export function QueryState({
  query,
  what,
}: {
  query: { isPending: boolean; error: unknown };
  what?: string;
}) {
  if (query.error)
    return <ErrorMessage error={query.error} title={what ? `Could not load ${what}` : undefined} />;
  if (query.isPending) return <Loading what={what ? `Loading ${what}` : 'Loading'} />;
  return null;
}

interface Toast {
  id: number;
  kind: 'success' | 'error';
  text: string;
}

interface ToastApi {
  success(text: string): void;
  error(error: unknown): void;
}

const ToastContext = createContext<ToastApi>({ success() {}, error() {} });

export const useToast = () => useContext(ToastContext);

/** Announced to screen readers (a live region); errors stay until dismissed, successes fade. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const api = useMemo<ToastApi>(() => {
    const push = (kind: Toast['kind'], text: string) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-4), { id, kind, text }]);
      if (kind === 'success') setTimeout(() => dismiss(id), 5_000);
    };
    return {
      success: (text) => push('success', text),
      error: (error) => push('error', error instanceof Error ? error.message : String(error)),
    };
  }, [dismiss]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            <span>{t.text}</span>
            <button type="button" className="link" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
