// The search box: id, plane/slot or state; a list of matches; choosing one flies the camera there.

import { useState } from 'react';
import { searchSatellites, SEARCH_HELP } from '../lib/search.js';
import { satId } from '../lib/protocol.js';
import { socCss } from '../lib/colors.js';
import { fmt } from './format.js';

export default function SearchBox({ store, query, onQuery, onChoose, inputRef }) {
  const [result, setResult] = useState(null); // {matches, total, error} of the last submitted query
  const [active, setActive] = useState(0);

  const change = (text) => { onQuery(text); setResult(null); setActive(0); }; // a stale error goes
  const submit = (e) => {
    e.preventDefault();
    const r = searchSatellites(store, query);
    if (r.matches.length === 1 && !r.error) { setResult(null); onChoose(r.matches[0]); return; }
    setResult(r);
    setActive(0);
  };
  const choose = (i) => { setResult(null); onChoose(i); };
  const onKey = (e) => {
    const list = result?.matches || [];
    if (e.key === 'ArrowDown' && list.length) { e.preventDefault(); setActive((a) => Math.min(list.length - 1, a + 1)); }
    if (e.key === 'ArrowUp' && list.length) { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
    if (e.key === 'Enter' && list.length > 1) { e.preventDefault(); choose(list[active]); }
    if (e.key === 'Escape') { setResult(null); e.currentTarget.blur(); }
  };
  const list = result && !result.error ? result.matches : [];
  return (
    <form className="search" role="search" onSubmit={submit}>
      <input ref={inputRef} data-testid="sat-search" aria-label="find satellites by id, plane and slot, or state (key /)"
        placeholder="sat-042, p3s5, blackout… ( / )" value={query} title={SEARCH_HELP}
        onChange={(e) => change(e.target.value)} onKeyDown={onKey}
        aria-controls="search-results" aria-activedescendant={list.length ? `sr-${list[active]}` : undefined} />
      {result && result.error && <span className="search-err" role="alert" data-testid="search-error">{result.error}</span>}
      {list.length > 1 && (
        <div className="search-results" data-testid="search-results">
          <div className="muted sr-head">{result.total} match{result.total === 1 ? '' : 'es'}{result.total > list.length ? `, first ${list.length}` : ''} · ↑↓ Enter</div>
          <ul id="search-results" role="listbox" aria-label="matching satellites">
            {list.map((i, k) => (
              <li key={i} id={`sr-${i}`} role="option" aria-selected={k === active}>
                <button type="button" className={`sr-item${k === active ? ' active' : ''}`} data-testid="search-result" onClick={() => choose(i)}>
                  <i className="lbl-swatch" style={{ background: socCss(store.energy[i]) }} />
                  <b>{satId(i)}</b>
                  <span className="muted">{store.plane[i] >= 0 ? ` p${store.plane[i]} s${store.slot[i]}` : ''}</span>
                  <span className="sr-soc">{fmt(store.energy[i], 1)}%</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
