// The dashboard: globe in the middle, KPIs left, inspector/controls/config/feed right, legend
// below; on a phone the panels live in a bottom sheet. The view (selection, camera, filters,
// panels, speed) is kept in the URL; keyboard shortcuts drive the clock, the search and follow.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Globe from './components/Globe.jsx';
import HUDStats from './components/HUDStats.jsx';
import HistoryPanel from './components/HistoryPanel.jsx';
import ArenaPanel from './components/ArenaPanel.jsx';
import SpeedBanner from './components/SpeedBanner.jsx';
import TimeMachine from './components/TimeMachine.jsx';
import Controls, { nextTimeScale } from './components/Controls.jsx';
import ConfigPanel from './components/ConfigPanel.jsx';
import EventFeed from './components/EventFeed.jsx';
import Inspector from './components/Inspector.jsx';
import { DronePanel, StationPanel } from './components/StationPanel.jsx';
import Legend, { LegendBody } from './components/Legend.jsx';
import SearchBox from './components/SearchBox.jsx';
import ShortcutHelp, { keyBelongsToTarget } from './components/Shortcuts.jsx';
import TokenPrompt from './components/TokenPrompt.jsx';
import { useInterval, useMedia, useTicker } from './components/hooks.js';
import { fmtSimTime, fmtInt } from './components/format.js';
import { createLabelRegistry } from './components/Labels.jsx';
import { createStore } from './lib/store.js';
import { parseUrlState, toUrlSearch } from './lib/urlstate.js';
import { ApiClient, errorMessage } from './api/http.js';
import { connectSocket } from './api/socket.js';
import { createTokenGate } from './api/token.js';
import { TASK_EVENTS, satId } from './lib/protocol.js';

const STALE_MS = 3000;
const PHONE = '(max-width: 600px)';
const NARROW = '(max-width: 800px)';
const SHEET_TABS = [['inspect', 'Satellite'], ['kpis', 'KPIs'], ['controls', 'Controls'], ['config', 'Config'], ['events', 'Events'], ['legend', 'Legend']];

function ConnectionPill({ status, stale }) {
  const label = {
    connecting: 'connecting…', connected: stale ? 'no ticks' : 'live', reconnecting: 'reconnecting…', down: 'server down',
  }[status.state] || status.state;
  const cls = status.state === 'connected' ? (stale ? 'warn' : 'ok') : status.state === 'down' ? 'err' : 'warn';
  return <span className={`conn conn-${cls}`} data-testid="connection" title={status.detail} role="status"><i />{label}</span>;
}

function TopBar({ store, status, stale, search, autoRotate, setAutoRotate, onHelp, onArena }) {
  useTicker(500);
  const date = store.simDate ? store.simDate.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '–';
  return (
    <header className="topbar" data-floating>
      <div className="brand"><span className="logo">◉</span><span className="brand-name"> Satellite <b>VPP</b></span></div>
      <ConnectionPill status={status} stale={stale} />
      <div className="clock" data-testid="sim-clock">
        <span className="clock-date"><span className="muted">sim</span> {date}<span className="muted"> · </span></span>
        <span className="muted">T+</span>{fmtSimTime(store.simTime)}
        {store.past ? <span className="pill pill-warn" data-testid="past-pill" title="the time machine shows a past moment; live ticks are held">past</span>
          : <><span className="muted"> · tick </span>{fmtInt(store.tick)}</>}
        {store.paused && !store.past && <span className="pill pill-warn">paused</span>}
      </div>
      <div className="counts muted">{fmtInt(store.n)} satellites · {fmtInt(store.nDrones)} drones · {fmtInt(store.groundStations.length)} stations</div>
      <span className="spacer" />
      <label className="check rotate"><input type="checkbox" data-testid="auto-rotate" checked={autoRotate} onChange={(e) => setAutoRotate(e.target.checked)} /> rotate</label>
      <button type="button" className="btn btn-sm" onClick={onArena} data-testid="open-arena" title="compare policies over seeds">arena</button>
      <button type="button" className="btn btn-sm keys" onClick={onHelp} aria-label="keyboard shortcuts (?)" data-testid="keys-help">keys</button>
      {search}
    </header>
  );
}

/** Panels closed by default for the screen width (the URL's `closed` overrides). */
function defaultClosed() {
  if (typeof window === 'undefined' || !window.matchMedia) return [];
  if (window.matchMedia(NARROW).matches) return ['kpis', 'config', 'legend'];
  if (window.matchMedia('(max-width: 1100px)').matches) return ['legend'];
  return [];
}

export default function App() {
  const initial = useMemo(() => parseUrlState(window.location.search), []);
  const store = useMemo(() => createStore(), []);
  const registry = useMemo(() => createLabelRegistry(), []);
  const phone = useMedia(PHONE);
  const [status, setStatus] = useState({ state: 'connecting', detail: '' });
  const [httpDown, setHttpDown] = useState(null);
  const [tokenAsk, setTokenAsk] = useState(null); // {reason, answer}: the open API-token question
  const tokens = useMemo(() => createTokenGate((reason) => new Promise((answer) => setTokenAsk({ reason, answer }))), []);
  const api = useMemo(() => new ApiClient({ tokens, onError: (r) => setHttpDown(r.body?.error?.message || 'server error') }), [tokens]);
  const [config, setConfig] = useState(null);
  const [light, setLight] = useState(null); // GET /api/state?sat_limit=0: smoke, queues, energy
  const [stations, setStations] = useState([]);
  const [selected, setSelected] = useState(initial.sel);
  const [hovered, setHovered] = useState(-1);
  const [station, setStation] = useState(null); // the selected ground station (its record)
  const [droneSel, setDroneSel] = useState(null); // the inspected drone's id
  const [follow, setFollow] = useState(initial.follow);
  const [autoRotate, setAutoRotate] = useState(false);
  const [feedKinds, setFeedKinds] = useState(initial.feed);
  const [closed, setClosed] = useState(() => initial.closed ?? defaultClosed());
  const [query, setQuery] = useState(initial.q);
  const [view, setView] = useState(initial.cam);
  const [flyTo, setFlyTo] = useState(null);
  const [sheet, setSheet] = useState(null); // phone: the open bottom-sheet tab
  const [help, setHelp] = useState(false);
  const [charts, setCharts] = useState(false); // the recorder's full charts overlay
  const [arena, setArena] = useState(false); // the policy arena page
  const [toast, setToast] = useState(null);
  const [flying, setFlying] = useState([]);
  const [stale, setStale] = useState(false);
  const sock = useRef(null);
  const searchInput = useRef(null);
  const speedApplied = useRef(false);

  const select = useCallback((i) => { store.select(i); setSelected(i); if (i < 0) setFollow(false); }, [store]);
  const choose = useCallback((i) => { select(i); setFlyTo({ index: i, at: performance.now() }); }, [select]);
  const fold = (id) => ({ id, closed: closed.includes(id), toggle: () => setClosed((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id])) });
  const say = useCallback((text, ok = true) => setToast({ text, ok, at: Date.now() }), []);

  const loadConfig = useCallback(async () => {
    const r = await api.config();
    if (r.ok) setConfig(r.body);
  }, [api]);

  useEffect(() => { store.select(initial.sel); }, [store, initial.sel]);

  useEffect(() => {
    const hook = (window.__vpp = window.__vpp || {});
    hook.store = store;
    hook.select = (i) => select(i);
    hook.satId = satId;
    const s = connectSocket(store, {
      tokens,
      onStatus: (st) => { setStatus(st); if (st.state === 'connected') { setHttpDown(null); loadConfig(); } },
      onSnapshot: (snap) => { setStations([...(snap.ground_stations || [])]); if (snap.smoke) setLight(snap); },
    });
    if (!initial.feed.includes('task')) s.unsubscribe(TASK_EVENTS); // high-rate: off until the feed asks
    sock.current = s;
    hook.socket = s.socket;
    return () => s.close();
  }, [store, loadConfig, select, initial.feed, tokens]);

  const poll = useCallback(async () => {
    const [st, h] = await Promise.all([api.state('?sat_limit=0'), api.health()]);
    if (st.ok) {
      setLight(st.body);
      store.snapshot = { ...store.snapshot, ...st.body, satellites: undefined };
      if (st.body.smoke) store.smoke = st.body.smoke;
      setHttpDown(null);
    }
    if (h.body && !h.body.error) store.health = h.body;
    if (store.n > 0 && !store.planesKnown) {
      // plane and slot of every satellite, for search (once per layout or run)
      const orb = await api.state('?fields=plane,slot');
      if (orb.ok && Array.isArray(orb.body.satellites) && orb.body.satellites.length === store.n) store.setOrbitSlots(orb.body.satellites);
    }
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

  const timeScale = config?.time?.time_scale;
  // a link's speed is asked of the server once, when the page opens with it
  useEffect(() => {
    if (speedApplied.current || !config || !initial.speed) return;
    speedApplied.current = true;
    if (initial.speed !== timeScale) {
      api.setConfig({ time: { time_scale: initial.speed } }).then((r) => {
        if (r.ok) setConfig(r.body); else say(`speed from the link: ${errorMessage(r)}`, false);
      });
    }
  }, [api, config, initial.speed, timeScale, say]);

  // the view lives in the URL (replaceState: no history entry per change)
  useEffect(() => {
    const search = toUrlSearch({ sel: selected, follow, cam: view, q: query, feed: feedKinds, closed, speed: timeScale ?? initial.speed });
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}${window.location.hash}`);
  }, [selected, follow, view, query, feedKinds, closed, timeScale, initial.speed]);

  useEffect(() => {
    if (!toast) return undefined;
    const id = setTimeout(() => setToast(null), 2500);
    return () => clearTimeout(id);
  }, [toast]);

  const onFeedKinds = (kinds) => {
    const had = feedKinds.includes('task'), has = kinds.includes('task');
    if (has && !had) sock.current?.subscribe(TASK_EVENTS);
    if (!has && had) sock.current?.unsubscribe(TASK_EVENTS);
    setFeedKinds(kinds);
  };

  const onChanged = useCallback((r) => {
    if (r.ok && r.body && r.body.time) setConfig(r.body); // POST /api/config answers the whole config
    if (r.ok && r.body && 'n_satellites' in r.body) { loadConfig(); }
    poll();
  }, [loadConfig, poll]);

  // keyboard shortcuts (see Shortcuts.jsx)
  const keys = useRef(null);
  keys.current = async (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape') {
      if (help) { setHelp(false); return; }
      if (charts) { setCharts(false); return; }
      if (arena) { setArena(false); return; }
      select(-1);
      setFollow(false);
      setQuery('');
      if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
      return;
    }
    if (keyBelongsToTarget(e.key, e.target)) return;
    const paused = store.paused;
    const act = async (label, call) => { const r = await call(); say(r.ok ? label : `${label}: ${errorMessage(r)}`, r.ok); onChanged(r); };
    if (e.key === ' ') { e.preventDefault(); await act(paused ? 'resumed (Space)' : 'paused (Space)', () => (paused ? api.resume() : api.pause())); }
    else if (e.key === '.') {
      e.preventDefault();
      if (!paused) await act('paused (.)', () => api.pause());
      else await act('stepped 1 tick (.)', () => api.step(1));
    } else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '_') {
      e.preventDefault();
      const next = nextTimeScale(timeScale ?? 1, e.key === '+' || e.key === '=' ? 1 : -1);
      await act(`speed ${next}× (${e.key})`, () => api.setConfig({ time: { time_scale: next } }));
    } else if (e.key === 'f') {
      if (selected >= 0) { setFollow((v) => !v); say(follow ? 'follow off (f)' : 'following (f)'); } else say('select a satellite to follow (f)', false);
    } else if (e.key === '/') {
      e.preventDefault();
      if (phone) setSheet(null);
      searchInput.current?.focus();
    } else if (e.key === '?') setHelp((v) => !v);
  };
  useEffect(() => {
    const onKey = (e) => keys.current(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // on a phone a new selection opens the sheet on it
  useEffect(() => { if (phone && selected >= 0) setSheet('inspect'); }, [phone, selected]);

  const down = status.state === 'down' || (status.state === 'reconnecting' && httpDown);
  const smoke = light?.smoke;
  const paused = light?.paused ?? store.paused;
  const searchBox = <SearchBox store={store} query={query} onQuery={setQuery} onChoose={choose} inputRef={searchInput} />;
  const inspector = selected >= 0 && (
    <Inspector store={store} api={api} index={selected} follow={follow} onFollow={setFollow}
      onClose={() => select(-1)} onSelect={choose} />
  );
  const entityPanels = (
    <>
      {station && <StationPanel api={api} station={station} onSelectSat={choose} onClose={() => setStation(null)} />}
      {droneSel && <DronePanel api={api} droneId={droneSel} onSelectSat={choose} onClose={() => setDroneSel(null)} />}
    </>
  );
  const panels = {
    kpis: (f) => <HUDStats store={store} fold={f} onCharts={() => setCharts(true)} />,
    controls: (f) => <Controls api={api} store={store} smoke={smoke} paused={paused} timeScale={timeScale} onChanged={onChanged} fold={f} />,
    config: (f) => <ConfigPanel api={api} config={config} onConfig={setConfig} fold={f} />,
    events: (f) => <EventFeed store={store} onSelect={choose} kinds={feedKinds} onKinds={onFeedKinds} fold={f} />,
  };

  return (
    <div className={`app${down ? ' is-down' : ''}${phone ? ' is-phone' : ''}${sheet ? ' sheet-open' : ''}`}>
      <Globe store={store} registry={registry} selected={selected} hovered={hovered} follow={follow}
        autoRotate={autoRotate} stations={stations} flyingDrones={flying} initialView={initial.cam} flyTo={flyTo}
        beamMaxRate={config?.beam?.rate_eu_per_s ?? 4} onHover={setHovered} onSelect={select} onView={setView}
        api={api} station={station} minElevationDeg={config?.delegator?.min_elevation_deg ?? 0} onStation={setStation} onDrone={setDroneSel} />
      <TopBar store={store} status={status} stale={stale} search={searchBox}
        autoRotate={autoRotate} setAutoRotate={setAutoRotate} onHelp={() => setHelp((v) => !v)} onArena={() => setArena(true)} />
      {!phone && (
        <>
          <aside className={`left${closed.includes('kpis') ? ' folded' : ''}`} aria-label="live KPIs" data-floating>{panels.kpis(fold('kpis'))}</aside>
          <aside className="right" aria-label="satellite, controls, config and events" data-floating>
            {inspector}
            {entityPanels}
            {panels.controls(fold('controls'))}
            {panels.config(fold('config'))}
            {panels.events(fold('events'))}
          </aside>
          <Legend fold={fold('legend')} />
        </>
      )}
      {phone && (
        <div className="sheet" data-testid="sheet" data-floating>
          <nav className="sheet-tabs" aria-label="panels">
            {SHEET_TABS.filter(([id]) => id !== 'inspect' || selected >= 0).map(([id, label]) => (
              <button type="button" key={id} className={`sheet-tab${sheet === id ? ' on' : ''}`} aria-expanded={sheet === id}
                data-testid={`sheet-${id}`} onClick={() => setSheet(sheet === id ? null : id)}>{label}</button>
            ))}
          </nav>
          {sheet && (
            <div className="sheet-body" data-testid="sheet-body">
              {sheet === 'inspect' && inspector}
              {sheet === 'inspect' && entityPanels}
              {sheet === 'legend' && <div className="panel legend-sheet" data-testid="legend"><LegendBody /></div>}
              {panels[sheet] && panels[sheet](null)}
            </div>
          )}
        </div>
      )}
      <TimeMachine api={api} store={store} live={() => sock.current?.backToLive()} recording={store.health?.recorder?.enabled} />
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      {charts && <HistoryPanel api={api} onClose={() => setCharts(false)} recording={store.health?.recorder?.enabled} />}
      {arena && <ArenaPanel api={api} onClose={() => setArena(false)} />}
      {tokenAsk && <TokenPrompt reason={tokenAsk.reason} onAnswer={(t) => { setTokenAsk(null); tokenAsk.answer(t); }} />}
      {toast && <div className={`toast ${toast.ok ? '' : 'toast-err'}`} role="status" data-testid="toast">{toast.text}</div>}
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
