// The time machine: a timeline across the recorded run with markers (alerts, blackouts, beams,
// drone flights); drag to a past moment and the globe draws the constellation then (positions
// recomputed by the server, energies from the recorder's sample at or before it); play forward
// at 1x..1000x with the achieved speed beside it; "back to live" returns. docs/globe.md.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useInterval, useTicker } from './hooks.js';
import { fmtSimTime } from './format.js';
import { errorMessage } from '../api/http.js';
import { MARKER_KINDS, SPEEDS, achievedSpeed, advance, bucketMarkers, pastFrame } from '../lib/timemachine.js';

const BUCKETS = 160;
const MARKER_EVENTS = 'alert.low_energy,alert.overloaded,alert.blackout_avoided,sat.energy_transfer_started,drone.launched';
const MARKER_LABEL = { alert: 'alerts', blackout: 'blackouts', beam: 'beams', drone: 'drone flights' };

function Markers({ markers }) {
  if (!markers) return <div className="tm-markers" data-testid="tm-markers" data-count="0" />;
  const total = MARKER_KINDS.reduce((a, k) => a + markers[k].reduce((x, y) => x + y, 0), 0);
  return (
    <div className="tm-markers" data-testid="tm-markers" data-count={total}>
      {MARKER_KINDS.map((kind) => (
        <div key={kind} className={`tm-row tm-${kind}`} title={MARKER_LABEL[kind]}>
          {Array.from(markers[kind], (c, b) => (c > 0 && (
            <i key={b} style={{ left: `${(100 * b) / BUCKETS}%`, width: `${100 / BUCKETS}%` }} title={`${c} ${MARKER_LABEL[kind]}`} />
          )))}
        </div>
      ))}
    </div>
  );
}

/** Latest-wins fetch of past frames: one request in flight, the newest asked time next. */
function usePastLoader(api, store, onError) {
  const busy = useRef(false);
  const wanted = useRef(null);
  const shown = useRef([]);
  const generation = useRef(0); // bumped by cancel(): answers to older requests are dropped
  const load = useCallback(async (atS, jump) => {
    wanted.current = { atS, jump, generation: generation.current };
    if (busy.current) return;
    busy.current = true;
    while (wanted.current) {
      const ask = wanted.current;
      wanted.current = null;
      const r = await api.get(`/api/runs/current/snapshot?at=${ask.atS.toFixed(3)}`);
      if (!r.ok) { onError(errorMessage(r)); continue; }
      if (ask.generation !== generation.current) continue;
      try {
        store.showPast(pastFrame(r.body), { atS: r.body.at_s, atDate: r.body.at_date, sample: r.body.sample, jump: ask.jump },
          performance.now());
        shown.current = [...shown.current.slice(-9), { at: r.body.at_s, wall: performance.now() }];
        onError(null);
      } catch (err) { onError(String(err && err.message)); }
    }
    busy.current = false;
  }, [api, store, onError]);
  const cancel = useCallback(() => { generation.current++; wanted.current = null; shown.current = []; }, []);
  return useMemo(() => ({ load, cancel, shown, busy }), [load, cancel]);
}

export default function TimeMachine({ api, store, live, recording }) {
  const [open, setOpen] = useState(false);
  useTicker(open ? 250 : 60000); // closed, it is one button: no re-render to speak of
  const [endS, setEndS] = useState(0);
  const [markers, setMarkers] = useState(null);
  const [at, setAt] = useState(null); // null: live
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(100);
  const [error, setError] = useState(null);
  const [achieved, setAchieved] = useState(NaN); // of the last playback, kept after it stops
  const loader = usePastLoader(api, store, setError);
  const atRef = useRef(null);
  atRef.current = at;
  const endRef = useRef(0);
  endRef.current = endS;

  const refresh = useCallback(async () => {
    const run = await api.get('/api/runs/current');
    if (!run.ok) { setError(errorMessage(run)); return; }
    const end = run.body.last_sim_s;
    setEndS(end);
    const [ev, k] = await Promise.all([
      api.get(`/api/runs/current/events?kind=${MARKER_EVENTS}&limit=5000`),
      api.get(`/api/runs/current/kpis?step=${Math.max(end / BUCKETS, 1).toFixed(3)}`),
    ]);
    if (ev.ok) setMarkers(bucketMarkers(ev.body.events, end, BUCKETS, k.ok ? k.body.columns : null));
  }, [api]);
  useInterval(refresh, 5000, open && recording !== false);

  const goTo = useCallback((s, jump = true) => {
    const t = Math.min(Math.max(0, s), endS);
    setAt(t);
    loader.load(t, jump);
  }, [endS, loader]);

  const backToLive = useCallback(() => {
    setPlaying(false);
    loader.cancel();
    setAt(null);
    live();
  }, [live, loader]);

  // playback: step the asked time by speed x wall time whenever the previous frame is drawn
  useEffect(() => {
    if (!playing) return undefined;
    let stop = false;
    let last = performance.now();
    loader.shown.current = [];
    setAchieved(NaN);
    const step = () => {
      if (stop) return;
      const now = performance.now();
      if (!loader.busy.current) {
        const next = advance(atRef.current ?? 0, speed, now - last, endRef.current);
        last = now;
        setAt(next.at);
        loader.load(next.at, false);
        setAchieved(achievedSpeed(loader.shown.current));
        if (next.ended) { setPlaying(false); return; }
      }
      setTimeout(step, 50);
    };
    step();
    return () => { stop = true; };
  }, [playing, speed, loader]);

  if (!open) {
    return (
      <button type="button" className="btn btn-sm tm-open" data-testid="tm-toggle" data-floating
        onClick={() => { setOpen(true); refresh(); }} aria-expanded="false">time machine</button>
    );
  }
  const past = store.past;
  const value = at ?? endS;
  return (
    <section className="panel tm" data-testid="time-machine" aria-label="time machine" data-floating
      data-mode={past ? 'past' : 'live'} data-at={past ? past.atS : ''}>
      <div className="tm-head">
        <button type="button" className="panel-toggle" onClick={() => { backToLive(); setOpen(false); }} aria-expanded="true"
          data-testid="tm-close"><span className="caret">▾</span>time machine</button>
        <span className="muted tm-range">run T+0 … T+{fmtSimTime(endS)}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" data-testid="tm-play" disabled={!endS}
          onClick={() => { if (at === null) goTo(Math.max(0, endS - speed * 60)); setPlaying((p) => !p); }}>
          {playing ? 'pause' : 'play'}
        </button>
        <label className="tm-speed">speed
          <select data-testid="tm-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
          </select>
        </label>
        <span className="muted tm-achieved" data-testid="tm-achieved" data-value={Number.isFinite(achieved) ? achieved.toFixed(1) : ''}>
          achieved {Number.isFinite(achieved) ? `${achieved.toFixed(0)}×` : '–'}
        </span>
        <button type="button" className={`btn btn-sm ${at === null ? '' : 'btn-go'}`} data-testid="tm-live"
          disabled={at === null} onClick={backToLive}>back to live</button>
      </div>
      <div className="tm-track">
        <Markers markers={markers} />
        <input type="range" className="tm-slider" data-testid="tm-slider" aria-label="simulated time of the run"
          min={0} max={Math.max(endS, 1)} step="any" value={value}
          onChange={(e) => { setPlaying(false); goTo(Number(e.target.value)); }} />
      </div>
      <div className="tm-info" data-testid="tm-info" role="status">
        {at === null && <span>live · drag the timeline to see a past moment of this run</span>}
        {at !== null && past && (
          <span>
            <b>past</b> T+{fmtSimTime(past.atS)} ({past.atDate?.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')}) · positions
            recomputed from the orbits · energies and states from the recorder&apos;s sample at T+{fmtSimTime(past.sample.sim_s)}
            {' '}(nearest at or before; one every {past.sample.every_s || 'tick'} s) · beams from the recorded events; drones not recorded
            {' '}· {store.liveTicksHeld || 0} live ticks held, live at T+{fmtSimTime(store.liveSimTime)}
          </span>
        )}
        {error && <span className="err" data-testid="tm-error"> · {error}</span>}
      </div>
    </section>
  );
}
