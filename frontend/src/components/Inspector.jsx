// The selected satellite: live values from the store, details polled from the REST API.

import { useCallback, useState } from 'react';
import { useInterval, useTicker } from './hooks.js';
import Sparkline from './Sparkline.jsx';
import EnergyHistory from './EnergyHistory.jsx';
import { socCss } from '../lib/colors.js';
import { FLAG_BLACKOUT, FLAG_SUNLIT, FLAG_TOPUP, satId, satIndex } from '../lib/protocol.js';
import { fmt } from './format.js';
import PassList from './PassList.jsx';

export default function Inspector({ store, api, index, follow, onFollow, onClose, onSelect }) {
  const nowS = useCallback(() => store.simTime, [store]);
  useTicker(500);
  const id = satId(index);
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(async () => {
    const r = await api.satellite(id);
    if (r.ok) { setDetail(r.body); setError(null); } else setError(r.body?.error?.message || `HTTP ${r.status}`);
  }, [api, id]);
  useInterval(load, 1000, index >= 0);

  const live = index < store.n;
  const e = live ? store.energy[index] : NaN;
  const flags = live ? store.flags[index] : 0;
  const d = detail && detail.satellite_id === id ? detail : null;
  const state = flags & FLAG_BLACKOUT ? 'blackout' : flags & FLAG_SUNLIT ? 'sunlit' : 'in eclipse';
  return (
    <section className="panel inspector" data-testid="inspector">
      <header className="panel-title">
        <span className="insp-id" data-testid="inspector-id">{id}</span>
        <span className={`pill ${state === 'blackout' ? 'pill-err' : state === 'sunlit' ? 'pill-on' : 'pill-off'}`}>{state}</span>
        <span className="spacer" />
        <label className="check"><input type="checkbox" checked={follow} onChange={(ev) => onFollow(ev.target.checked)} data-testid="follow" /> follow</label>
        <button type="button" className="btn btn-x" onClick={onClose} aria-label="close inspector">×</button>
      </header>
      <div className="insp-energy">
        <div className="bar"><div className="bar-fill" style={{ width: `${Math.max(0, Math.min(100, e))}%`, background: socCss(e) }} /></div>
        <span className="insp-pct" style={{ color: socCss(e) }}>{fmt(e, 1)}%</span>
      </div>
      <Sparkline values={store.selectedHistory.toArray()} min={0} max={100} width={300} height={36} color={socCss(e)} />
      <EnergyHistory api={api} satId={id} nowS={nowS} altKm={live ? store.alt[index] : undefined}
        recording={store.health?.recorder ? store.health.recorder.enabled : undefined} />
      <div className="kv">
        <span>Energy</span><b>{d ? `${fmt(d.energy_amount, 1)} / ${fmt(d.max_energy)} EU` : '–'}</b>
        <span>Predicted</span><b>{d ? `${fmt(d.predicted_pct, 1)}% (${fmt(d.predicted_energy, 1)} EU)` : '–'}</b>
        <span>Solar / use</span><b>{d ? `+${fmt(d.solar_rate, 2)} / −${fmt(d.consumption_rate, 2)} EU/s` : '–'}</b>
        <span>Tasks on board</span><b data-testid="inspector-queue">{d ? d.queue_length : (live ? store.queue[index] : '–')}</b>
        <span>Backlog</span><b>{d ? `${fmt(d.backlog_work, 1)} wu · ${fmt(d.committed_energy, 1)} EU committed` : '–'}</b>
        <span>Beam</span>
        <b>
          {d ? d.giving_energy : '–'}
          {d && d.beam_peer && <> → <button type="button" className="link" onClick={() => onSelect(satIndex(d.beam_peer))}>{d.beam_peer}</button></>}
          {d && d.receiving_from && <> ← <button type="button" className="link" onClick={() => onSelect(satIndex(d.receiving_from))}>{d.receiving_from}</button></>}
        </b>
        <span>Top-up</span><b>{(d ? d.topup_requested : flags & FLAG_TOPUP) ? 'requested' : 'no'}</b>
        <span>Position</span><b>{live ? `${fmt(store.lat[index], 2)}°, ${fmt(store.lon[index], 2)}°, ${fmt(store.alt[index])} km` : '–'}</b>
        <span>Orbit</span><b>{d ? `plane ${d.plane} · slot ${d.slot}` : '–'}</b>
      </div>
      {d && d.current_tasks && d.current_tasks.length > 0 && (
        <div className="insp-tasks" data-testid="inspector-tasks">
          {d.current_tasks.slice(0, 12).map((t) => (
            <code key={t.task_id} title={`${fmt(t.energy_need, 1)} EU · started ${t.started_at}`}>{t.task_id}</code>
          ))}
          {d.current_tasks.length > 12 && <span className="muted"> +{d.current_tasks.length - 12}</span>}
        </div>
      )}
      <PassList api={api} path={`/api/satellites/${id}/passes`} label="Next passes" by="station" onSelectSat={onSelect} limit={5} testid="sat-passes" />
      {error && <div className="note note-err">{error}</div>}
    </section>
  );
}
