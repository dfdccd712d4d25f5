/** Matches Portico API keys and common secret shapes so they never reach a log line or error. */
const SECRET_PATTERNS: RegExp[] = [
  /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{8,}/g,
  /whsec_[A-Za-z0-9+/=]{8,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

const knownSecrets = new Set<string>();

/** Registers a secret value (a connection credential, say) to be masked wherever it would be printed. */
export function registerSecret(value: string): void {
  if (value.length >= 6) knownSecrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}***` : `${match.slice(0, 4)}***`,
    );
  }
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
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
