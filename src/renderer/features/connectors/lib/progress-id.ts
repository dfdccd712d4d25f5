/** An id for one long call's progress events (also outside secure contexts, where randomUUID is missing). */
export function newProgressId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `import-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
