// Optional OpenTelemetry: when OTEL_EXPORTER_OTLP_ENDPOINT is set, every recorded call becomes a
// span (customer, tool, outcome, duration) sent as OTLP/HTTP JSON to `<endpoint>/v1/traces`.
// Off by default, and then nothing is created: no listener, no timer, no cost.
import { randomBytes } from 'node:crypto';
import type { ActivityEntry } from './activity-log';

const FLUSH_MS = 2_000;
const BATCH_MAX = 512;
/** Spans waiting beyond this are dropped: a collector that is down never grows memory. */
const QUEUE_MAX = 10_000;

export interface Telemetry {
  /** Turns one recorded call into a span. */
  span(entry: ActivityEntry): void;
  /** Sends what is queued; resolves when done (or failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The traces URL for an OTLP/HTTP endpoint, per the OTel spec (a signal-specific variable wins). */
export function tracesUrl(env: NodeJS.ProcessEnv): string | null {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (specific) return specific;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

const attr = (key: string, value: string | number) =>
  typeof value === 'number'
    ? { key, value: { intValue: String(value) } }
    : { key, value: { stringValue: value } };

/** Null when telemetry is off (no endpoint). */
export function startTelemetry(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  version: string,
): Telemetry | null {
  const url = tracesUrl(env);
  if (!url) return null;
  try {
    new URL(url);
  } catch {
    log(`OpenTelemetry is off: OTEL_EXPORTER_OTLP_ENDPOINT "${url}" is not a URL.`);
    return null;
  }
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'portico';
  const queue: object[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  let warned = false;

  const send = async (spans: object[]) => {
    const body = {
      resourceSpans: [
        {
          resource: {
            attributes: [attr('service.name', serviceName), attr('service.version', version)],
          },
          scopeSpans: [{ scope: { name: 'portico', version }, spans }],
        },
      ],
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      warned = false;
    } catch (error) {
      if (!warned)
        log(`OpenTelemetry export to ${url} failed: ${error instanceof Error ? error.message : error}`);
      warned = true;
    }
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length) {
      const batch = queue.splice(0, BATCH_MAX);
      sending = sending.then(() => send(batch));
    }
    return sending;
  };

  return {
    span(entry) {
      if (queue.length >= QUEUE_MAX) return;
      const end = BigInt(Date.parse(entry.time)) * 1_000_000n;
      const start = end - BigInt(Math.max(0, Math.round(entry.duration_ms))) * 1_000_000n;
      queue.push({
        traceId: entry.trace?.traceId ?? randomBytes(16).toString('hex'),
        spanId: entry.trace?.spanId ?? randomBytes(8).toString('hex'),
        name: `${entry.plane === 'gateway' ? 'gateway' : 'admin'} ${entry.tool}`,
        kind: 2, // SERVER
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(end),
        attributes: [
          attr('portico.plane', entry.plane),
          attr('portico.entry_point', entry.entry_point),
          attr('portico.tool', entry.tool),
          attr('portico.customer_id', entry.customer_id ?? ''),
          attr('portico.outcome', entry.outcome),
          attr('portico.duration_ms', Math.round(entry.duration_ms)),
          ...(entry.key_id ? [attr('portico.key_id', entry.key_id)] : []),
        ],
        // The error text is already redacted and argument-free (the activity log's rule).
        status: entry.outcome === 'error' ? { code: 2, message: entry.error ?? 'error' } : { code: 1 },
      });
      if (queue.length >= BATCH_MAX) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_MS).unref();
    },
    flush,
    close: flush,
  };
}
