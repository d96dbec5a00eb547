// The API token (the server's API_TOKEN). Asked for when the server answers 401, then kept for
// the browser session (sessionStorage: gone when the tab closes, never put in the URL) and sent
// on every REST call (Authorization: Bearer) and in the Socket.IO connect `auth`.

const KEY = 'vpp.apiToken';

function storage() {
  try { return globalThis.sessionStorage || null; } catch { return null; }
}

export function savedToken() {
  return storage()?.getItem(KEY) || '';
}

export function saveToken(token) {
  const s = storage();
  if (!s) return;
  if (token) s.setItem(KEY, token);
  else s.removeItem(KEY);
}

/**
 * The token of this session and one way to get a new one. `ask(reason)` shows the question
 * and resolves to the token typed (or '' when the user gives up). While a question is open,
 * every caller that hit a 401 waits for the same answer, so the user is asked once.
 */
export function createTokenGate(ask) {
  let pending = null;
  return {
    token: savedToken,
    renew(reason = 'the server needs its API token') {
      if (!pending) {
        pending = Promise.resolve(ask(reason)).then((token) => {
          pending = null;
          if (token) saveToken(token);
          return token || '';
        });
      }
      return pending;
    },
  };
}
