// Generator, clock and reset controls. Every action shows the server's answer or error.

import { useState } from 'react';
import { errorMessage } from '../api/http.js';
import { useTicker } from './hooks.js';
import PanelTitle from './Panel.jsx';

export const TIME_SCALES = [1, 10, 30, 60, 120, 300, 600, 1200];

/** The next speed up (`dir` 1) or down (-1) from `current` in TIME_SCALES. */
export function nextTimeScale(current, dir) {
  if (dir > 0) return TIME_SCALES.find((t) => t > current) ?? TIME_SCALES[TIME_SCALES.length - 1];
  return [...TIME_SCALES].reverse().find((t) => t < current) ?? TIME_SCALES[0];
}

export default function Controls({ api, store, smoke: polledSmoke, paused: polledPaused, timeScale, onChanged, fold }) {
  useTicker(500);
  // live values from the tick when the server sends them, else the last REST poll
  const smoke = store?.smoke || polledSmoke;
  const paused = store && store.lastTickWall ? store.paused : polledPaused;
  const [qps, setQps] = useState('50');
  const [burst, setBurst] = useState('10');
  const [steps, setSteps] = useState('1');
  const [seed, setSeed] = useState('');
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const [armed, setArmed] = useState(false);

  const num = (s) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

  async function run(label, fn) {
    setBusy(true);
    const r = await fn();
    setBusy(false);
    setMsg(r.ok ? { ok: true, text: `${label}: done` } : { ok: false, text: `${label}: ${errorMessage(r)}` });
    if (onChanged) onChanged(r);
    return r;
  }

  const running = !!(smoke && smoke.running);
  const state = (
    <span className={`pill ${running ? 'pill-on' : 'pill-off'}`} data-testid="smoke-state">
      {running ? `running · ${smoke.qps} qps` : 'stopped'}
    </span>
  );
  if (fold?.closed) {
    return (
      <section className="panel controls folded" data-testid="controls">
        <PanelTitle title="Controls" fold={fold}>{state}<span className={`pill ${paused ? 'pill-warn' : 'pill-on'}`}>{paused ? 'paused' : 'running'}</span></PanelTitle>
      </section>
    );
  }
  return (
    <section className="panel controls" data-testid="controls">
      <PanelTitle title="Controls" fold={fold} />
      <header className="panel-title sub first">Task generator {state}</header>
      <div className="row">
        <label>qps <input data-testid="smoke-qps" aria-label="tasks per second" value={qps} onChange={(e) => setQps(e.target.value)} size={6} /></label>
        <label>burst <input data-testid="smoke-burst" aria-label="tasks per burst" value={burst} onChange={(e) => setBurst(e.target.value)} size={4} /></label>
        <button type="button" className="btn btn-go" data-testid="smoke-start" disabled={busy}
          onClick={() => run('start', () => api.smokeStart(num(qps), num(burst)))}>Start</button>
        <button type="button" className="btn" data-testid="smoke-stop" disabled={busy || !running}
          onClick={() => run('stop', () => api.smokeStop())}>Stop</button>
      </div>
      <header className="panel-title sub">
        Simulation clock
        <span className={`pill ${paused ? 'pill-warn' : 'pill-on'}`} data-testid="sim-state">{paused ? 'paused' : 'running'}</span>
      </header>
      <div className="row">
        {paused
          ? <button type="button" className="btn btn-go" data-testid="resume" onClick={() => run('resume', () => api.resume())}>Resume</button>
          : <button type="button" className="btn" data-testid="pause" onClick={() => run('pause', () => api.pause())}>Pause</button>}
        <button type="button" className="btn" data-testid="step" disabled={!paused}
          title={paused ? 'advance while paused' : 'pause first'}
          onClick={() => run('step', () => api.step(num(steps)))}>Step</button>
        <input aria-label="ticks per step" value={steps} onChange={(e) => setSteps(e.target.value)} size={3} />
        <label className="grow">speed
          <select data-testid="time-scale" aria-label="speed (time scale, simulated seconds per wall second)" value={TIME_SCALES.includes(timeScale) ? timeScale : ''}
            onChange={(e) => run('time scale', () => api.setConfig({ time: { time_scale: Number(e.target.value) } }))}>
            {!TIME_SCALES.includes(timeScale) && <option value="">{timeScale ?? '–'}×</option>}
            {TIME_SCALES.map((t) => <option key={t} value={t}>{t}×</option>)}
          </select>
        </label>
      </div>
      <div className="row">
        <label>seed <input data-testid="reset-seed" aria-label="seed for the reset (empty: same seed)" value={seed} placeholder="same" onChange={(e) => setSeed(e.target.value)} size={5} /></label>
        {armed ? (
          <>
            <button type="button" className="btn btn-danger" data-testid="reset-confirm"
              onClick={() => { setArmed(false); run('reset', () => api.reset(seed.trim() === '' ? {} : { seed: num(seed) })); }}>
              Confirm reset
            </button>
            <button type="button" className="btn" onClick={() => setArmed(false)}>Cancel</button>
          </>
        ) : (
          <button type="button" className="btn btn-danger" data-testid="reset" onClick={() => setArmed(true)}>Reset…</button>
        )}
      </div>
      {msg && <div className={`note ${msg.ok ? 'note-ok' : 'note-err'}`} data-testid="controls-msg" role="status">{msg.text}</div>}
    </section>
  );
}
