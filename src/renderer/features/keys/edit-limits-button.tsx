// "Edit limits" for one gateway key: its own rate limits (set_rate_limits {key_id}), beside the
// limits of the customers it serves.
import { useState } from 'react';
import { Dialog } from '../../common/dialog';
import { RateLimitsForm } from '../../common/rate-limits-form';

export function EditLimitsButton({
  apiKey,
}: {
  apiKey: {
    id: string;
    name: string;
    limits?: { calls_per_minute: number | null; concurrent: number | null };
  };
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="secondary small" onClick={() => setOpen(true)}>
        Edit limits<span className="visually-hidden"> of {apiKey.name}</span>
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Rate limits of "${apiKey.name}"`}>
        {open && (
          <>
            <p className="muted">
              For the calls made with this key, on top of its customers' own limits. An empty field means no
              limit.
            </p>
            <RateLimitsForm
              target={{ key_id: apiKey.id }}
              limits={apiKey.limits}
              onSaved={() => setOpen(false)}
              onCancel={() => setOpen(false)}
            />
          </>
        )}
      </Dialog>
    </>
  );
}
