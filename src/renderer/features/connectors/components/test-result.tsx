// What test_action gave: the exact request a dry run would send (secrets already masked by the
// server), or the tool result of a real run.
import type { ToolOutput } from '../../../../shared/registry';

type Tested = ToolOutput<'test_action'>;

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The text parts of an MCP tool result (content[].text), else the result as JSON. */
function resultText(result: Record<string, unknown> | null): string {
  const content = result?.content;
  if (Array.isArray(content)) {
    const texts = content.flatMap((part) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
        ? [part.text]
        : [],
    );
    if (texts.length) return texts.map(pretty).join('\n');
  }
  return JSON.stringify(result, null, 2);
}

export function TestResult({ tested }: { tested: Tested }) {
  if (tested.is_error)
    return (
      <div className="test-result">
        <h3>{tested.dry_run ? 'Dry run refused' : 'The call failed'}</h3>
        <pre className="error-box" role="alert">
          {resultText(tested.result)}
        </pre>
      </div>
    );
  if (tested.dry_run && tested.request) {
    const { method, url, headers, body } = tested.request;
    const names = Object.keys(headers);
    return (
      <div className="test-result">
        <h3>Request that would be sent</h3>
        <p>
          <code className="request-line">
            {method} {url}
          </code>
        </p>
        {names.length > 0 && (
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">Header</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {names.map((name) => (
                <tr key={name}>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td>
                    <code>{headers[name]}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {body !== null && body !== '' ? (
          <>
            <h4>Body</h4>
            <pre>{pretty(body)}</pre>
          </>
        ) : (
          <p className="muted">No body.</p>
        )}
      </div>
    );
  }
  if (tested.dry_run)
    return (
      <div className="test-result">
        <h3>Call that would be sent</h3>
        <pre>{JSON.stringify(tested.mcp_request ?? tested.result, null, 2)}</pre>
      </div>
    );
  return (
    <div className="test-result">
      <h3>Result</h3>
      <pre className="ok-result">{resultText(tested.result)}</pre>
    </div>
  );
}
