import { describe, it, expect, vi, beforeEach } from 'vitest';
import { ApiClient } from './http.js';
import { createTokenGate, savedToken } from './token.js';

const store = new Map();
globalThis.sessionStorage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};

/** A server that wants `Bearer secret` on every request. */
const lockedServer = () => vi.fn(async (url, opts) => {
  const ok = opts.headers.Authorization === 'Bearer secret';
  const body = ok ? { paused: true } : { error: { code: 'unauthorized', message: 'API token required', field: null } };
  return { ok, status: ok ? 200 : 401, text: async () => JSON.stringify(body) };
});

describe('API token', () => {
  beforeEach(() => store.clear());

  it('asks once on a 401, keeps the token for the session and repeats the request', async () => {
    const ask = vi.fn(async () => 'secret');
    const fetchImpl = lockedServer();
    const api = new ApiClient({ fetchImpl, tokens: createTokenGate(ask) });
    const [a, b] = await Promise.all([api.pause(), api.resume()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(ask).toHaveBeenCalledTimes(1); // two requests refused at once: one question
    expect(savedToken()).toBe('secret');
    expect((await api.pause()).status).toBe(200);
    expect(ask).toHaveBeenCalledTimes(1); // the kept token is sent straight away
    expect(fetchImpl.mock.calls.at(-1)[1].headers.Authorization).toBe('Bearer secret');
  });

  it('gives the 401 back when the user declines, without storing anything', async () => {
    const api = new ApiClient({ fetchImpl: lockedServer(), tokens: createTokenGate(async () => '') });
    const r = await api.pause();
    expect(r.status).toBe(401);
    expect(savedToken()).toBe('');
  });

  it('sends no Authorization header when there is no token', async () => {
    const fetchImpl = vi.fn(async () => ({ ok: true, status: 200, text: async () => '{}' }));
    await new ApiClient({ fetchImpl, tokens: createTokenGate(async () => '') }).health();
    expect(fetchImpl.mock.calls[0][1].headers.Authorization).toBeUndefined();
  });
});
