// Invisible characters made visible for a reviewer: a zero-width space, a bidi override or a
// Unicode tag character reads as nothing on screen, yet a model reads it. Each one becomes a
// marked ⟨U+XXXX⟩.

export interface Segment {
  text: string;
  hidden: boolean;
}

// Format characters (zero-width, bidi controls, tags, BOM…) and private use.
const FORMAT = /^[\p{Cf}\p{Co}]$/u;

/** Also invisible, though not format characters: variation selectors and Hangul fillers. */
function invisible(char: string): boolean {
  const cp = char.codePointAt(0) ?? 0;
  return (
    FORMAT.test(char) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x3164
  );
}

const codePoint = (char: string) =>
  `⟨U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;

/** The text split into plain runs and invisible characters shown as ⟨U+XXXX⟩. */
export function visibleSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let plain = '';
  for (const char of text) {
    if (!invisible(char)) {
      plain += char;
      continue;
    }
    if (plain) out.push({ text: plain, hidden: false });
    plain = '';
    out.push({ text: codePoint(char), hidden: true });
  }
  if (plain) out.push({ text: plain, hidden: false });
  return out;
}
