// The dashboard: globe in the middle, KPIs left, controls/inspector/feed right, legend below.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Globe from './components/Globe.jsx';
import HUDStats from './components/HUDStats.jsx';
import SpeedBanner from './components/SpeedBanner.jsx';
import Controls from './components/Controls.jsx';
import ConfigPanel from './components/ConfigPanel.jsx';
import EventFeed from './components/EventFeed.jsx';
import Inspector from './components/Inspector.jsx';
import Legend from './components/Legend.jsx';
import { useInterval, useTicker } from './components/hooks.js';
import { fmtSimTime, fmtInt } from './components/format.js';
import { createLabelRegistry } from './components/Labels.jsx';
import { createStore } from './lib/store.js';
import { ApiClient } from './api/http.js';
import { connectSocket } from './api/socket.js';
import { TASK_EVENTS, satIndex } from './lib/protocol.js';

const STALE_MS = 3000;

function ConnectionPill({ status, stale }) {
  const label = {
    connecting: 'connecting…', connected: stale ? 'no ticks' : 'live', reconnecting: 'reconnecting…', down: 'server down',
  }[status.state] || status.state;
  const cls = status.state === 'connected' ? (stale ? 'warn' : 'ok') : status.state === 'down' ? 'err' : 'warn';
  return <span className={`conn conn-${cls}`} data-testid="connection" title={status.detail}><i />{label}</span>;
}

function TopBar({ store, status, stale, onSearch, autoRotate, setAutoRotate }) {
  useTicker(500);
  const [q, setQ] = useState('');
  const [err, setErr] = useState('');
  const submit = (e) => {
    e.preventDefault();
    const t = q.trim();
    const i = /^\d+$/.test(t) ? Number(t) : satIndex(t);
    if (i < 0 || i >= store.n) { setErr(`no satellite ${t || '(empty)'}; ids are sat-0 … sat-${store.n - 1}`); return; }
    setErr('');
    onSearch(i);
  };
  const date = store.simDate ? store.simDate.replace('T', ' ').replace('Z', ' UTC') : '–';
  return (
    <header className="topbar">
      <div className="brand"><span className="logo">◉</span> Satellite <b>VPP</b></div>
      <ConnectionPill status={status} stale={stale} />
      <div className="clock" data-testid="sim-clock">
        <span className="muted">sim</span> {date}
        <span className="muted"> · T+</span>{fmtSimTime(store.simTime)}
        <span className="muted"> · tick </span>{fmtInt(store.tick)}
        {store.paused && <span className="pill pill-warn">paused</span>}
      </div>
      <div className="counts muted">{fmtInt(store.n)} satellites · {fmtInt(store.nDrones)} drones · {fmtInt(store.groundStations.length)} stations</div>
      <span className="spacer" />
      <label className="check"><input type="checkbox" data-testid="auto-rotate" checked={autoRotate} onChange={(e) => setAutoRotate(e.target.checked)} /> rotate</label>
      <form className="search" onSubmit={submit}>
        <input data-testid="sat-search" placeholder="find satellite: sat-42" value={q} onChange={(e) => setQ(e.target.value)} />
        {err && <span className="search-err" role="alert">{err}</span>}
      </form>
    </header>
  );
}

export default function App() {
  const store = useMemo(() => createStore(), []);
  const registry = useMemo(() => createLabelRegistry(), []);
  const [status, setStatus] = useState({ state: 'connecting', detail: '' });
  const [httpDown, setHttpDown] = useState(null);
  const api = useMemo(() => new ApiClient({ onError: (r) => setHttpDown(r.body?.error?.message || 'server error') }), []);
  const [config, setConfig] = useState(null);
  const [light, setLight] = useState(null); // GET /api/state?sat_limit=0: smoke, queues, energy
  const [stations, setStations] = useState([]);
  const [selected, setSelected] = useState(-1);
  const [hovered, setHovered] = useState(-1);
  const [follow, setFollow] = useState(false);
  const [autoRotate, setAutoRotate] = useState(false);
  const [taskEvents, setTaskEvents] = useState(false);
  const [flying, setFlying] = useState([]);
  const [stale, setStale] = useState(false);
  const sock = useRef(null);

  const select = useCallback((i) => { store.select(i); setSelected(i); }, [store]);

  const loadConfig = useCallback(async () => {
    const r = await api.config();
    if (r.ok) setConfig(r.body);
  }, [api]);

  useEffect(() => {
    const hook = (window.__vpp = window.__vpp || {});
    hook.store = store;
    hook.select = (i) => select(i);
    const s = connectSocket(store, {
      onStatus: (st) => { setStatus(st); if (st.state === 'connected') { setHttpDown(null); loadConfig(); } },
      onSnapshot: (snap) => { setStations([...(snap.ground_stations || [])]); if (snap.smoke) setLight(snap); },
    });
    s.unsubscribe(TASK_EVENTS); // task events are high-rate: off until the feed asks for them
    sock.current = s;
    hook.socket = s.socket;
    return () => s.close();
  }, [store, loadConfig, select]);

  const poll = useCallback(async () => {
    const [st, h] = await Promise.all([api.state('?sat_limit=0'), api.health()]);
    if (st.ok) {
      setLight(st.body);
      store.snapshot = { ...store.snapshot, ...st.body, satellites: undefined };
      if (st.body.smoke) store.smoke = st.body.smoke;
      setHttpDown(null);
    }
    if (h.body && !h.body.error) store.health = h.body;
    const fl = [];
    for (let j = 0; j < store.nDrones && fl.length < 24; j++) {
      const s = store.dStatus[j];
      if (s === 2 || s === 3) fl.push({ index: j, status: s }); // enroute, docking
    }
    setFlying((prev) => (JSON.stringify(prev) === JSON.stringify(fl) ? prev : fl));
    const isStale = status.state === 'connected' && !store.paused && store.lastTickWall > 0
      && performance.now() - store.lastTickWall > STALE_MS;
    setStale(isStale);
  }, [api, store, status.state]);
  useInterval(poll, 1500);

  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') { select(-1); setFollow(false); } };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [select]);

  const onTaskEvents = (on) => {
    setTaskEvents(on);
    if (on) sock.current?.subscribe(TASK_EVENTS); else sock.current?.unsubscribe(TASK_EVENTS);
  };

  const onChanged = (r) => {
    if (r.ok && r.body && r.body.time) setConfig(r.body); // POST /api/config answers the whole config
    if (r.ok && r.body && 'n_satellites' in r.body) { loadConfig(); }
    poll();
  };

  const down = status.state === 'down' || (status.state === 'reconnecting' && httpDown);
  const smoke = light?.smoke;
  return (
    <div className={`app${down ? ' is-down' : ''}`}>
      <Globe store={store} registry={registry} selected={selected} hovered={hovered} follow={follow}
        autoRotate={autoRotate} stations={stations} flyingDrones={flying}
        beamMaxRate={config?.beam?.rate_eu_per_s ?? 4} onHover={setHovered} onSelect={select} />
      <TopBar store={store} status={status} stale={stale} onSearch={select} autoRotate={autoRotate} setAutoRotate={setAutoRotate} />
      <aside className="left">
        <HUDStats store={store} />
      </aside>
      <aside className="right">
        {selected >= 0 && (
          <Inspector store={store} api={api} index={selected} follow={follow} onFollow={setFollow}
            onClose={() => { select(-1); setFollow(false); }} onSelect={select} />
        )}
        <Controls api={api} store={store} smoke={smoke} paused={light?.paused ?? store.paused}
          timeScale={config?.time?.time_scale} onChanged={onChanged} />
        <ConfigPanel api={api} config={config} onConfig={setConfig} />
        <EventFeed store={store} onSelect={select} taskEvents={taskEvents} onTaskEvents={onTaskEvents} />
      </aside>
      <Legend />
      {down && (
        <div className="banner banner-down" role="alert" data-testid="server-down">
          <b>Server unreachable.</b> {(httpDown || status.detail || 'no connection to the simulation').replace(/\.?$/, '.')} Retrying
          automatically; the globe shows the last state received and is not live.
        </div>
      )}
      {!down && store.frameErrors > 0 && (
        <div className="banner banner-stale" role="alert" data-testid="frame-errors">
          {store.frameErrors} tick frame(s) could not be decoded: {store.lastFrameError}. Positions may be stale.
        </div>
      )}
      {!down && !stale && <SpeedBanner store={store} />}
      {!down && stale && (
        <div className="banner banner-stale" role="status" data-testid="stale">
          Connected, but no tick for {((performance.now() - store.lastTickWall) / 1000).toFixed(0)} s: the simulation loop may be stuck (see /api/health).
        </div>
      )}
    </div>
  );
}

