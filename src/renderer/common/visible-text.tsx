// Text with its invisible characters shown as marked ⟨U+XXXX⟩ (see visible-chars), for the tool
// changes and the approvals pages; its style comes with it (whichever page is opened first).
import './visible-text.css';
import { visibleSegments } from './visible-chars';

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
