// REST client: every call resolves to {ok, status, body}; it never throws.
//
// A network failure (server down, proxy refused) becomes {ok: false, status: 0, body:
// {error: {code: 'network', message}}} and is reported once through the onError hook, so the
// UI has one place that says "the server is unreachable".
//
// With a token gate (api/token.js) every request carries the session's token; a 401 asks for
// the token (once for all requests waiting) and repeats the request with it.

export function errorMessage(result) {
  if (!result) return 'no answer';
  const e = result.body && result.body.error;
  if (e && typeof e === 'object') {
    const field = e.field ? ` (field: ${e.field})` : '';
    return `${e.message || e.code || 'error'}${field}`;
  }
  if (typeof e === 'string') return e;
  if (result.status) return `HTTP ${result.status}`;
  return 'request failed';
}

export class ApiClient {
  constructor({ base = '', onError = null, fetchImpl = null, timeoutMs = 8000, tokens = null } = {}) {
    this.base = base;
    this.onError = onError;
    this.tokens = tokens;
    this.fetch = fetchImpl || ((...a) => globalThis.fetch(...a));
    this.timeoutMs = timeoutMs;
  }

  async request(method, path, body) {
    const result = await this.send(method, path, body);
    if (result.status !== 401 || !this.tokens) return result;
    const token = await this.tokens.renew(errorMessage(result));
    return token ? this.send(method, path, body) : result;
  }

  async send(method, path, body) {
    const opts = { method, headers: { Accept: 'application/json' } };
    const token = this.tokens && this.tokens.token();
    if (token) opts.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const timer = ctrl ? setTimeout(() => ctrl.abort(), this.timeoutMs) : null;
    if (ctrl) opts.signal = ctrl.signal;
    let response;
    try {
      response = await this.fetch(this.base + path, opts);
    } catch (err) {
      const aborted = err && err.name === 'AbortError';
      const result = {
        ok: false,
        status: 0,
        body: { error: { code: aborted ? 'timeout' : 'network',
          message: aborted ? `no answer from the server in ${this.timeoutMs / 1000} s`
            : 'cannot reach the server', field: null } },
      };
      if (this.onError) this.onError(result, { method, path });
      return result;
    } finally {
      if (timer) clearTimeout(timer);
    }
    let parsed = null;
    const text = await response.text().catch(() => '');
    if (text) {
      try { parsed = JSON.parse(text); } catch { parsed = { error: { code: 'bad_response', message: text.slice(0, 200) } }; }
    }
    const result = { ok: response.ok, status: response.status, body: parsed };
    if (!response.ok && response.status >= 500 && this.onError) this.onError(result, { method, path });
    return result;
  }

  get(path) { return this.request('GET', path); }
  post(path, body = {}) { return this.request('POST', path, body); }

  // Routes from DESIGN.md section 3 and docs/api.md.
  state(params = '') { return this.get(`/api/state${params}`); }
  health() { return this.get('/api/health'); }
  config() { return this.get('/api/config'); }
  setConfig(partial) { return this.post('/api/config', partial); }
  smokeStart(qps, burst) { return this.post('/api/smoke/start', { qps, burst }); }
  smokeStop() { return this.post('/api/smoke/stop'); }
  pause() { return this.post('/api/sim/pause'); }
  resume() { return this.post('/api/sim/resume'); }
  step(ticks = 1) { return this.post('/api/sim/step', { ticks }); }
  reset(body = {}) { return this.post('/api/reset', body); }
  satellite(id) { return this.get(`/api/satellites/${encodeURIComponent(id)}`); }
  addTask(task) { return this.post('/api/tasks', task); }
}
