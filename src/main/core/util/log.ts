/**
 * Matches Portico API keys and common secret shapes so they never reach a log line or error.
 * Connection secrets are masked by each call's own scrubber (util/scrubber.ts), which knows them.
 */
const SECRET_PATTERNS: RegExp[] = [
  /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{8,}/g,
  /whsec_[A-Za-z0-9+/=]{8,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}***` : `${match.slice(0, 4)}***`,
    );
  }
  return out;
}

export type Logger = (line: string) => void;

/** Wraps a sink so every line is redacted first. */
export function createLogger(
  sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  return (line) => sink(redact(line));
}
