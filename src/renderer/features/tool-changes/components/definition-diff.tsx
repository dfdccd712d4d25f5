// Before and after of one tool's definition, field by field (description, input and output
// schemas, annotations…), as a line diff with invisible characters shown.

import { VisibleText } from '../../../common/visible-text';
import { asText, changedFields, lineDiff } from '../lib/line-diff';

const MARK = { same: ' ', added: '+', removed: '−' } as const;
const WORD = { same: '', added: 'added: ', removed: 'removed: ' } as const;

export function DefinitionDiff({
  before,
  after,
}: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}) {
  const fields = changedFields(before, after);
  if (fields.length === 0) return <p className="muted">No difference in the definition's fields.</p>;
  return (
    <>
      {fields.map((field) => (
        <div key={field} className="diff-field">
          <h4>
            <code>{field}</code>
            {before[field] === undefined ? ' (new)' : after[field] === undefined ? ' (removed)' : ''}
          </h4>
          <pre className="diff">
            {lineDiff(asText(before[field]), asText(after[field])).map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of one fixed diff
              <span key={i} className={`diff-line diff-${line.kind}`}>
                <span aria-hidden="true" className="diff-mark">
                  {MARK[line.kind]}{' '}
                </span>
                <span className="visually-hidden">{WORD[line.kind]}</span>
                <VisibleText text={line.text} />
                {'\n'}
              </span>
            ))}
          </pre>
        </div>
      ))}
    </>
  );
}
