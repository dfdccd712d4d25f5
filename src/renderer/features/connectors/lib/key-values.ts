// Environment variables and headers are typed one per line as NAME=value (or "Name: value" for
// headers): easier to paste than a key/value grid, and every value may hold spaces.

export interface ParsedPairs {
  pairs: Record<string, string>;
  /** The first line that is not NAME=value, for a field error. */
  error?: string;
}

export function parsePairs(text: string, separator: '=' | ':'): ParsedPairs {
  const pairs: Record<string, string> = Object.create(null);
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(separator);
    const name = at > 0 ? line.slice(0, at).trim() : '';
    if (!name) {
      const example = separator === '=' ? 'NAME=value' : 'Name: value';
      return { pairs, error: `Line ${index + 1} is not ${example}.` };
    }
    pairs[name] = line.slice(at + 1).trim();
  }
  return { pairs };
}

/** One argument per line (arguments may hold spaces); blank lines are dropped. */
export function parseLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
