import { redact } from '../util/log';
import { VERSION } from '../util/version';
import type { WebhookEvent } from './outbox';
import { signatureHeaders } from './signing';

/** How much of a refusing receiver's reply is kept (read no further). */
const EXCERPT_BYTES = 512;

/** What one POST to a receiver came to. */
export interface Sent {
  status: number | null;
  error: string | null;
  /** The start of the receiver's reply when it refused; null otherwise. */
  excerpt: string | null;
  durationMs: number;
}

async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return redact(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'));
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && key in value ? Reflect.get(value, key) : undefined;

function describeError(error: unknown, timeoutMs: number): string {
  const name = field(error, 'name');
  if (name === 'TimeoutError') return `timed out after ${timeoutMs / 1000} s without a response`;
  if (name === 'AbortError') return 'interrupted: Portico was stopping';
  const cause = field(field(error, 'cause'), 'message');
  const message = field(error, 'message');
  return redact(typeof cause === 'string' ? cause : typeof message === 'string' ? message : String(error));
}

/**
 * POSTs `event` to `url`, signed with `secret` (Standard Webhooks, message id `id`; several secrets
 * give one signature each): no redirects followed, at most `timeoutMs`, at most 512 bytes of a
 * refusal read. Never throws.
 */
export async function sendSigned(
  url: string,
  secret: string | readonly string[],
  id: string,
  event: WebhookEvent,
  options: { stop: AbortSignal; timeoutMs: number },
): Promise<Sent> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': `Portico-Webhooks/${VERSION}`,
        ...signatureHeaders(secret, body, { id }),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([options.stop, AbortSignal.timeout(options.timeoutMs)]),
    });
    const ok = res.status >= 200 && res.status < 300;
    const text = await readExcerpt(res).catch(() => '');
    const excerpt = ok ? null : text;
    const error = ok
      ? null
      : `the receiver answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`;
    return { status: res.status, error, excerpt, durationMs: took() };
  } catch (error) {
    return {
      status: null,
      error: describeError(error, options.timeoutMs),
      excerpt: null,
      durationMs: took(),
    };
  }
}
