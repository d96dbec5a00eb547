import { describe, it, expect, vi } from 'vitest';
import { ApiClient, errorMessage } from './http.js';

const reply = (status, body) => async () => ({
  ok: status >= 200 && status < 300,
  status,
  text: async () => (body === undefined ? '' : JSON.stringify(body)),
});

describe('ApiClient', () => {
  it('returns {ok, status, body} on success', async () => {
    const api = new ApiClient({ fetchImpl: reply(200, { running: true }) });
    expect(await api.smokeStart(50, 10)).toEqual({ ok: true, status: 200, body: { running: true } });
  });

  it('sends JSON bodies', async () => {
    const fetchImpl = vi.fn(reply(200, {}));
    await new ApiClient({ fetchImpl }).setConfig({ w1: 0.5 });
    const [url, opts] = fetchImpl.mock.calls[0];
    expect(url).toBe('/api/config');
    expect(opts.method).toBe('POST');
    expect(JSON.parse(opts.body)).toEqual({ w1: 0.5 });
  });

  it('passes a 4xx error body through without calling onError', async () => {
    const onError = vi.fn();
    const body = { error: { code: 'out_of_range', message: 'w1(=5.0) must be within [0.0, 1.0]', field: 'w1' } };
    const r = await new ApiClient({ fetchImpl: reply(400, body), onError }).setConfig({ w1: 5 });
    expect(r.ok).toBe(false);
    expect(r.status).toBe(400);
    expect(errorMessage(r)).toBe('w1(=5.0) must be within [0.0, 1.0] (field: w1)');
    expect(onError).not.toHaveBeenCalled();
  });

  it('turns a network failure into an error result and calls onError once', async () => {
    const onError = vi.fn();
    const api = new ApiClient({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); }, onError });
    const r = await api.state();
    expect(r).toEqual({ ok: false, status: 0, body: { error: { code: 'network', message: 'cannot reach the server', field: null } } });
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('reports 5xx through onError', async () => {
    const onError = vi.fn();
    const r = await new ApiClient({ fetchImpl: reply(503, { error: { message: 'loop down' } }), onError }).health();
    expect(r.status).toBe(503);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('handles a non-JSON answer', async () => {
    const fetchImpl = async () => ({ ok: false, status: 502, text: async () => '<html>Bad gateway</html>' });
    const r = await new ApiClient({ fetchImpl }).state();
    expect(errorMessage(r)).toMatch(/Bad gateway/);
  });
});
