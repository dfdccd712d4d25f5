// The web UI's sign-in (CONTRACT §2): a one-time link from `portico serve` / `portico ui`, or an
// admin key typed once; the browser then holds an HttpOnly cookie the page never sees, and the
// page keeps the session's CSRF token for its state-changing calls. The desktop window needs none.
import { useCallback, useEffect, useState } from 'react';
import { csrfHeaders, inDesktop, setCsrfToken } from './registry';

export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-in' }
  | { status: 'signed-out'; message?: string };

interface SessionAnswer {
  ok: boolean;
  value?: { csrf?: string };
  error?: string;
}

async function sessionRequest(method: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<SessionAnswer> {
  try {
    const response = await fetch('/api/session', {
      method,
      headers: {
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...csrfHeaders(),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as SessionAnswer;
  } catch (error) {
    return { ok: false, error: `Could not reach Portico: ${error instanceof Error ? error.message : error}` };
  }
}

/** The login token in `#/login?token=…`, if the page was opened from a sign-in link. */
function loginTokenInUrl(): string | undefined {
  const [path, query] = window.location.hash.slice(1).split('?');
  return path === '/login' ? (new URLSearchParams(query).get('token') ?? undefined) : undefined;
}

export function useSession() {
  const [state, setState] = useState<SessionState>(
    inDesktop ? { status: 'signed-in' } : { status: 'checking' },
  );

  const accept = useCallback((answer: SessionAnswer, fallback?: string): boolean => {
    if (answer.ok && answer.value?.csrf) {
      setCsrfToken(answer.value.csrf);
      setState({ status: 'signed-in' });
      return true;
    }
    setCsrfToken(undefined);
    setState({
      status: 'signed-out',
      ...(answer.error || fallback ? { message: answer.error ?? fallback } : {}),
    });
    return false;
  }, []);

  useEffect(() => {
    if (inDesktop) return;
    const token = loginTokenInUrl();
    void (async () => {
      if (token) {
        const answer = await sessionRequest('POST', { login_token: token });
        // The token is spent either way: keep it out of the address bar and history.
        window.history.replaceState(null, '', '#/');
        if (accept(answer)) return;
        // Signed in already (an older session in this browser)? Then the used link is no matter.
        const current = await sessionRequest('GET');
        if (current.value?.csrf) accept(current);
        else setState({ status: 'signed-out', message: answer.error });
        return;
      }
      const answer = await sessionRequest('GET');
      accept(answer.ok ? answer : { ok: false });
    })();
  }, [accept]);

  const signInWithKey = useCallback(
    async (apiKey: string): Promise<string | undefined> => {
      const answer = await sessionRequest('POST', { api_key: apiKey });
      return accept(answer) ? undefined : (answer.error ?? 'Sign-in failed.');
    },
    [accept],
  );

  const signOut = useCallback(async () => {
    await sessionRequest('DELETE');
    setCsrfToken(undefined);
    setState({ status: 'signed-out', message: 'Signed out.' });
  }, []);

  return { state, signInWithKey, signOut };
}
