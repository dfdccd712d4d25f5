// Scans upstream tool descriptions (and server instructions) for what a tool-poisoning attack
// hides from the admin but shows the model: invisible Unicode and instruction-like text.

export interface ScanFinding {
  kind: 'hidden_unicode' | 'instruction';
  detail: string;
}

const HIDDEN: { name: string; test: (cp: number) => boolean }[] = [
  { name: 'Unicode tag character', test: (cp) => cp >= 0xe0000 && cp <= 0xe007f },
  {
    name: 'zero-width character',
    test: (cp) => (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff,
  },
  {
    name: 'bidirectional control',
    test: (cp) => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069),
  },
];

const CUES: { pattern: RegExp; detail: string }[] = [
  {
    pattern:
      /\b(ignore|disregard|forget)\s+(all\s+)?(the\s+)?(previous|prior|above|earlier)\s+(instructions|prompts?|rules)/i,
    detail: 'asks the model to ignore its previous instructions',
  },
  {
    pattern: /\b(do\s+not|don't|never)\s+(tell|inform|mention|reveal|show)\b[^.]{0,40}\b(user|human)/i,
    detail: 'asks the model to hide something from the user',
  },
  {
    pattern: /<\s*\/?\s*(important|system|instructions?)\s*>/i,
    detail: 'contains a tag such as <IMPORTANT>',
  },
  { pattern: /\bsystem\s+prompt\b/i, detail: 'mentions the system prompt' },
  {
    pattern: /(~\/\.ssh|\bid_rsa\b|\.aws\/credentials|~\/\.config|\/etc\/passwd|\.env\b|mcp\.json)/i,
    detail: 'mentions a sensitive file (such as ~/.ssh)',
  },
  {
    pattern: /\b(before|after)\s+(using|calling)\s+(this|any)\s+tool\b[^.]{0,80}\b(read|send|pass|include)/i,
    detail: 'tells the model what to do around tool calls',
  },
];

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Findings in one text, each hidden-Unicode class once (with its count and first code point), then each cue. */
export function scanText(text: string, where = 'description'): ScanFinding[] {
  const findings: ScanFinding[] = [];
  const counts = new Map<string, { count: number; first: number }>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const cls = HIDDEN.find((h) => h.test(cp));
    if (!cls) continue;
    const seen = counts.get(cls.name);
    if (seen) seen.count++;
    else counts.set(cls.name, { count: 1, first: cp });
  }
  for (const [name, { count, first }] of counts)
    findings.push({
      kind: 'hidden_unicode',
      detail: `The ${where} ${where.endsWith('s') ? 'contain' : 'contains'} ${count} ${name}(s) (first ${hex(first)}).`,
    });
  // Cues are matched on the text as the model reads it: tag characters decoded to ASCII.
  const visible = [...text]
    .map((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp >= 0xe0020 && cp <= 0xe007e) return String.fromCharCode(cp - 0xe0000);
      return HIDDEN.some((h) => h.test(cp)) ? '' : ch;
    })
    .join('');
  for (const cue of CUES)
    if (cue.pattern.test(visible))
      findings.push({ kind: 'instruction', detail: `The ${where} ${cue.detail}.` });
  return findings;
}

/** Findings in a tool definition's title, description and the descriptions inside its input schema. */
export function scanTool(tool: {
  title?: string;
  description?: string;
  inputSchema?: unknown;
}): ScanFinding[] {
  const findings = [...scanText(tool.description ?? ''), ...scanText(tool.title ?? '', 'title')];
  const schemaText = JSON.stringify(tool.inputSchema ?? {});
  findings.push(...scanText(schemaText, 'input schema'));
  return findings;
}
