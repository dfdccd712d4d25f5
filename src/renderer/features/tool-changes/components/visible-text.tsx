// Text with its invisible characters shown as marked ⟨U+XXXX⟩ (see lib/visible-chars).
import { visibleSegments } from '../lib/visible-chars';

export function VisibleText({ text }: { text: string }) {
  return (
    <>
      {visibleSegments(text).map((s, i) =>
        s.hidden ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one fixed text, never reordered
          <mark key={i} className="invisible-char" title="An invisible character">
            {s.text}
          </mark>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
