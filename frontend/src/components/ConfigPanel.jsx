// Weights and thresholds: edit with units, ranges and descriptions from the API's schema; pending
// changes listed; apply as one partial update and show the server's verdict; restore defaults.

import { useEffect, useState } from 'react';
import { errorMessage } from '../api/http.js';
import { configSchema, rangeProblem, rangeText } from '../lib/configSchema.js';
import PanelTitle from './Panel.jsx';

const GROUPS = [
  ['delegator', 'Delegator weights & limits'],
  ['satellite', 'Satellite thresholds'],
  ['beam', 'Beaming'],
  ['drone', 'Drones'],
  ['smoke', 'Generator tasks'],
  ['time', 'Clock'],
  ['policy', 'Policies (v1: the seed rules, docs/arena.md)'],
];

/** '0.4' -> 0.4; 'true' -> true; anything else stays a string (the server says what is wrong). */
export function parseValue(text) {
  const t = String(text).trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/** Text shown in an input for a config value. */
const show = (v) => String(v);

export default function ConfigPanel({ api, config, onConfig, fold }) {
  const [open, setOpen] = useState(null);
  const [draft, setDraft] = useState({});
  const [result, setResult] = useState(null);
  const [schema, setSchema] = useState({});

  useEffect(() => { setDraft({}); }, [config]);
  useEffect(() => {
    let live = true;
    api.get('/api/openapi.json').then((r) => { if (live && r.ok) setSchema(configSchema(r.body)); });
    return () => { live = false; };
  }, [api]);

  if (fold?.closed) {
    return <section className="panel config folded" data-testid="config-panel"><PanelTitle title="Config" fold={fold} /></section>;
  }
  if (!config) return <section className="panel config"><PanelTitle title="Config" fold={fold} /><div className="muted">loading…</div></section>;

  // pending: drafted values that differ from the running config
  const pending = Object.entries(draft).filter(([key, v]) => {
    const [g, k] = key.split('.');
    return show(config[g]?.[k]) !== v;
  });
  const defaults = [];
  for (const [g] of GROUPS) {
    for (const [k, spec] of Object.entries(schema[g] || {})) {
      if (config[g] && k in config[g] && spec.default !== undefined && show(spec.default) !== show(config[g][k])) {
        defaults.push([`${g}.${k}`, show(spec.default)]);
      }
    }
  }

  /** Draft one value; the last apply's note no longer describes what is on screen, so it goes. */
  function edit(key, value) {
    setDraft({ ...draft, [key]: value });
    setResult(null);
  }

  async function apply() {
    const partial = {};
    for (const [key, v] of pending) {
      const [g, k] = key.split('.');
      (partial[g] = partial[g] || {})[k] = parseValue(v);
    }
    const r = await api.setConfig(partial);
    if (r.ok) {
      setResult({ ok: true, text: `applied ${pending.length} change${pending.length === 1 ? '' : 's'}` });
      onConfig(r.body);
    } else {
      setResult({ ok: false, text: errorMessage(r), field: r.body?.error?.field });
    }
  }

  return (
    <section className="panel config" data-testid="config-panel">
      <PanelTitle title="Config" fold={fold}>
        <span className="muted cfg-hint">{Object.keys(schema).length ? 'units and ranges from /api/openapi.json' : ''}</span>
      </PanelTitle>
      {GROUPS.filter(([g]) => config[g]).map(([g, title]) => {
        const dirtyHere = pending.filter(([key]) => key.startsWith(`${g}.`)).length;
        return (
          <div key={g} className="cfg-group">
            <button type="button" className="cfg-toggle" aria-expanded={open === g} onClick={() => setOpen(open === g ? null : g)}>
              <span aria-hidden="true">{open === g ? '▾' : '▸'}</span> {title}
              {dirtyHere > 0 && <span className="pill pill-warn">{dirtyHere} pending</span>}
            </button>
            {open === g && (
              <div className="cfg-list">
                {Object.entries(config[g]).map(([k, v]) => {
                  const key = `${g}.${k}`;
                  const spec = schema[g]?.[k];
                  const val = draft[key] ?? show(v);
                  const dirty = draft[key] !== undefined && draft[key] !== show(v);
                  const bad = result && !result.ok && result.field && (result.field === k || result.field.endsWith(`.${k}`));
                  const problem = dirty ? rangeProblem(spec, parseValue(val)) : '';
                  const range = rangeText(spec);
                  return (
                    <div key={k} className={`cfg-item${dirty ? ' dirty' : ''}${bad ? ' bad' : ''}${problem ? ' out' : ''}`}>
                      <label htmlFor={`cfg-${key}`} className="cfg-key">
                        {k}{spec?.unit ? <span className="cfg-unit"> [{spec.unit}]</span> : null}
                      </label>
                      {spec?.choices ? (
                        <select id={`cfg-${key}`} data-testid={`cfg-${k}`} value={val} aria-describedby={`cfg-${key}-doc`}
                          onChange={(e) => edit(key, e.target.value)}>
                          {spec.choices.map((c) => <option key={c} value={c}>{c}</option>)}
                        </select>
                      ) : (
                        <input id={`cfg-${key}`} data-testid={`cfg-${k}`} value={val} inputMode={spec?.type === 'boolean' ? 'text' : 'decimal'}
                          aria-describedby={`cfg-${key}-doc`} onChange={(e) => edit(key, e.target.value)} />
                      )}
                      <div id={`cfg-${key}-doc`} className="cfg-doc" data-testid={`cfg-doc-${k}`}>
                        {spec?.doc}{range && <span className="cfg-range"> · range {range}</span>}
                        {spec && spec.default !== undefined && <span className="cfg-default"> · default {show(spec.default)}</span>}
                        {problem && <span className="cfg-problem" role="status"> · should be {problem}</span>}
                      </div>
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        );
      })}
      {pending.length > 0 && (
        <ul className="cfg-pending" data-testid="cfg-pending" aria-label="pending changes">
          {pending.map(([key, v]) => {
            const [g, k] = key.split('.');
            return <li key={key}><code>{key}</code> {show(config[g]?.[k])} → <b>{v}</b></li>;
          })}
        </ul>
      )}
      <div className="row">
        <button type="button" className="btn btn-go" data-testid="cfg-apply" disabled={!pending.length} onClick={apply}>
          Apply{pending.length ? ` (${pending.length})` : ''}
        </button>
        <button type="button" className="btn" data-testid="cfg-discard" disabled={!pending.length} onClick={() => { setDraft({}); setResult(null); }}>Discard</button>
        <button type="button" className="btn" data-testid="cfg-defaults" disabled={!defaults.length}
          title="draft the schema's default for every value that differs (Apply sends them)"
          onClick={() => { setDraft(Object.fromEntries(defaults)); setResult(null); }}>
          Restore defaults{defaults.length ? ` (${defaults.length})` : ''}
        </button>
      </div>
      {result && (
        <div className={`note ${result.ok ? 'note-ok' : 'note-err'}`} data-testid={result.ok ? 'cfg-ok' : 'cfg-error'} role="alert">
          {result.text}
        </div>
      )}
    </section>
  );
}
