import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  LOGIN_LINK_TTL_MS,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  WebSessions,
} from '../../src/main/core/server/web-sessions';

const withCookie = (cookie: string, csrf?: string) =>
  ({ headers: { cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) } }) as unknown as IncomingMessage;

describe('WebSessions', () => {
  it('login tokens work once and expire', () => {
    let now = 1_000_000;
    const sessions = new WebSessions(7430, () => now);
    const a = sessions.mintLoginToken();
    expect(sessions.redeemLoginToken(a)).toBe(true);
    expect(sessions.redeemLoginToken(a)).toBe(false);
    const b = sessions.mintLoginToken();
    now += LOGIN_LINK_TTL_MS;
    expect(sessions.redeemLoginToken(b)).toBe(false);
  });

  it('sessions end after idling, at their maximum age, and when their key goes', () => {
    let now = 0;
    const sessions = new WebSessions(7430, () => now);
    const { id, session } = sessions.open('abcd1234');
    const req = withCookie(`other=1; portico_session_7430=${id}`, session.csrf);
    expect(sessions.fromRequest(req)).toBe(session);
    expect(sessions.checkCsrf(req, session)).toBe(true);
    expect(sessions.checkCsrf(withCookie('', 'nope'), session)).toBe(false);
    // Another port's cookie of the same browser is not this server's.
    expect(sessions.fromRequest(withCookie(`portico_session_7431=${id}`))).toBeUndefined();
    for (let t = 0; t < SESSION_MAX_MS - SESSION_IDLE_MS; t += SESSION_IDLE_MS / 2) {
      now = t;
      expect(sessions.fromRequest(req)).toBe(session);
    }
    now = SESSION_MAX_MS;
    expect(sessions.fromRequest(req)).toBeUndefined();
    expect(sessions.isAlive(session)).toBe(false);

    now = 0;
    const idle = sessions.open();
    now = SESSION_IDLE_MS;
    expect(sessions.fromRequest(withCookie(`portico_session_7430=${idle.id}`))).toBeUndefined();

    const keyed = sessions.open('dead0000');
    sessions.closeForKeys((keyId) => keyId !== 'dead0000');
    expect(sessions.fromRequest(withCookie(`portico_session_7430=${keyed.id}`))).toBeUndefined();
    expect(keyed.session.ended).toBe(true);
  });
});
