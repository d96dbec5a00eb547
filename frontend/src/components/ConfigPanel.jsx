// Weights and thresholds: edit, apply as one partial update, show the server's verdict.

import { useEffect, useState } from 'react';
import { errorMessage } from '../api/http.js';

const GROUPS = [
  ['delegator', 'Delegator weights & limits'],
  ['satellite', 'Satellite thresholds'],
  ['beam', 'Beaming'],
  ['drone', 'Drones'],
  ['smoke', 'Generator tasks'],
  ['time', 'Clock'],
];

/** '0.4' -> 0.4; 'true' -> true; anything else stays a string (the server says what is wrong). */
export function parseValue(text) {
  const t = String(text).trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

export default function ConfigPanel({ api, config, onConfig }) {
  const [open, setOpen] = useState(null);
  const [draft, setDraft] = useState({});
  const [result, setResult] = useState(null);

  useEffect(() => { setDraft({}); }, [config]);

  if (!config) return <section className="panel config"><header className="panel-title">Config</header><div className="muted">loading…</div></section>;

  const changed = Object.entries(draft).filter(([key, v]) => {
    const [g, k] = key.split('.');
    return String(config[g]?.[k]) !== v;
  });

  async function apply() {
    const partial = {};
    for (const [key, v] of changed) {
      const [g, k] = key.split('.');
      (partial[g] = partial[g] || {})[k] = parseValue(v);
    }
    const r = await api.setConfig(partial);
    if (r.ok) {
      setResult({ ok: true, text: `applied ${changed.length} change${changed.length === 1 ? '' : 's'}` });
      onConfig(r.body);
    } else {
      setResult({ ok: false, text: errorMessage(r), field: r.body?.error?.field });
    }
  }

  return (
    <section className="panel config" data-testid="config-panel">
      <header className="panel-title">Config</header>
      {GROUPS.filter(([g]) => config[g]).map(([g, title]) => (
        <div key={g} className="cfg-group">
          <button type="button" className="cfg-toggle" onClick={() => setOpen(open === g ? null : g)}>
            {open === g ? '▾' : '▸'} {title}
          </button>
          {open === g && (
            <div className="cfg-grid">
              {Object.entries(config[g]).map(([k, v]) => {
                const key = `${g}.${k}`;
                const val = draft[key] ?? String(v);
                const dirty = draft[key] !== undefined && draft[key] !== String(v);
                const bad = result && !result.ok && result.field && (result.field === k || result.field.endsWith(`.${k}`));
                return (
                  <label key={k} className={`cfg-item${dirty ? ' dirty' : ''}${bad ? ' bad' : ''}`}>
                    <span>{k}</span>
                    <input data-testid={`cfg-${k}`} value={val} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
                  </label>
                );
              })}
            </div>
          )}
        </div>
      ))}
      <div className="row">
        <button type="button" className="btn btn-go" data-testid="cfg-apply" disabled={!changed.length} onClick={apply}>
          Apply{changed.length ? ` (${changed.length})` : ''}
        </button>
        <button type="button" className="btn" disabled={!changed.length} onClick={() => { setDraft({}); setResult(null); }}>Discard</button>
      </div>
      {result && (
        <div className={`note ${result.ok ? 'note-ok' : 'note-err'}`} data-testid={result.ok ? 'cfg-ok' : 'cfg-error'} role="alert">
          {result.text}
        </div>
      )}
    </section>
  );
}
