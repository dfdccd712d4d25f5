// import_openapi refuses with one message; the dialog shows it beside the field it is about. The
// server names the field (`slug`, `base_url`, `name`) or the document's own $ref, path or line.
export type ImportField = 'slug' | 'name' | 'base_url' | 'document';

export function importErrorField(message: string): ImportField {
  if (/connector with slug|`slug`/.test(message)) return 'slug';
  if (/`base_url`/.test(message)) return 'base_url';
  if (/`name`/.test(message)) return 'name';
  // Everything else — parse errors, $refs, `spec_url`, the body-size limit — concerns the document.
  return 'document';
}
