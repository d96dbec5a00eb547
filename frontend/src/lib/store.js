// The globe's live state: typed arrays filled from tick frames, outside React.
//
// The socket writes here on every tick; Three.js layers read it in useFrame; React panels
// poll it a few times a second (never a setState per frame or per tick).

import { latLonAltToVector3 } from './geo.js';
import { socColor } from './colors.js';
import { FLAG_SUNLIT, FLAG_BLACKOUT, DRONE_STATUSES, eventKind, satIndex } from './protocol.js';
import { Ring } from './ring.js';
import { notePace } from './pace.js';

export const HISTORY_SECONDS = 300; // sparklines cover the last five minutes
const EVENT_LOG_SIZE = 400;
const SAT_HISTORY = 600;
const FLIGHT_STATUSES = new Set(['enroute', 'docking', 'returning']);

/** Series sampled once per wall second for the HUD sparklines. */
export const SERIES = [
  'created', 'completed', 'dropped', 'queue', 'latencyMs', 'tickHz', 'tickMs',
  'beams', 'flights', 'alerts', 'meanSoc', 'blackouts',
];

/** Read the first finite number found at any of the dotted `paths` in `obj`. */
/** out[o..o+2] = p[k..k+2] + (q[k..k+2] - p[k..k+2]) * a; returns out. */
function lerp3(p, q, k, a, out, o) {
  out[o] = p[k] + (q[k] - p[k]) * a;
  out[o + 1] = p[k + 1] + (q[k + 1] - p[k + 1]) * a;
  out[o + 2] = p[k + 2] + (q[k + 2] - p[k + 2]) * a;
  return out;
}

export function pickNumber(obj, ...paths) {
  for (const p of paths) {
    let v = obj;
    for (const k of p.split('.')) {
      if (v == null || typeof v !== 'object') { v = undefined; break; }
      v = v[k];
    }
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function sumAlerts(obj) {
  if (!obj) return 0;
  let s = 0;
  for (const [k, v] of Object.entries(obj)) if (k.startsWith('alert.') && Number.isFinite(v)) s += v;
  return s;
}

export function createStore() {
  const store = {
    // satellites, scene coordinates, interpolated from prev to next over `interval` ms
    n: 0,
    prevPos: new Float32Array(0),
    nextPos: new Float32Array(0),
    colors: new Float32Array(0),
    flags: new Float32Array(0),
    energy: new Float32Array(0),
    queue: new Float32Array(0),
    alt: new Float32Array(0),
    lat: new Float32Array(0),
    lon: new Float32Array(0),
    // orbital plane and slot per satellite (GET /api/state?fields=plane,slot), for search
    plane: new Int32Array(0),
    slot: new Int32Array(0),
    planesKnown: false,
    // drones
    nDrones: 0,
    dPrev: new Float32Array(0),
    dNext: new Float32Array(0),
    dStatus: new Int16Array(0),
    dTarget: new Int32Array(0),
    dBattery: new Float32Array(0),
    // beams
    nBeams: 0,
    beamFrom: new Int32Array(0),
    beamTo: new Int32Array(0),
    beamRate: new Float32Array(0),
    // timing
    frameTime: 0,
    interval: 100,
    version: 0, // bumps on every applied frame
    layoutVersion: 0, // bumps when array sizes change
    // tick data
    tick: -1,
    seq: -1,
    simTime: 0,
    simDate: null,
    sun: null,
    paused: false,
    smoke: null, // {running, qps, burst} from the tick (or the last REST poll)
    counters: {},
    totals: {},
    kpis: {},
    lastTickWall: 0,
    // static-ish data from the snapshot
    groundStations: [],
    snapshot: null,
    // derived
    derived: { flights: 0, blackouts: 0, eclipsed: 0, meanSoc: NaN, lowCount: 0 },
    history: Object.fromEntries(SERIES.map((k) => [k, new Ring(HISTORY_SECONDS)])),
    historyVersion: 0,
    _sampleRef: null,
    // event log; a new run (reset, or a reconnect to a restarted server) clears it
    events: [],
    runs: 0,
    eventSeq: 0,
    alertsTotal: 0,
    // selected satellite
    selected: -1,
    selectedHistory: new Ring(SAT_HISTORY),
    hovered: -1,
  };

  store.alpha = (now) => Math.min(1, Math.max(0, (now - store.frameTime) / store.interval));

  /** Interpolated scene position of satellite `i` at wall time `now` into out[o..o+2]. */
  store.satPosition = (i, now, out, o = 0) => {
    const a = store.alpha(now);
    const p = store.prevPos, q = store.nextPos, k = i * 3;
    lerp3(p, q, k, a, out, o);
    // keep the radius of the end points so a chord does not dip toward the Earth
    const r0 = Math.hypot(p[k], p[k + 1], p[k + 2]);
    const r1 = Math.hypot(q[k], q[k + 1], q[k + 2]);
    const r = Math.hypot(out[o], out[o + 1], out[o + 2]);
    if (r > 0) {
      const s = (r0 + (r1 - r0) * a) / r;
      out[o] *= s; out[o + 1] *= s; out[o + 2] *= s;
    }
    return out;
  };

  store.dronePosition = (j, now, out, o = 0) => {
    return lerp3(store.dPrev, store.dNext, j * 3, store.alpha(now), out, o);
  };

  store.applyFrame = (f, now) => applyFrame(store, f, now);
  // time machine: `past` is {atS, sample, ...} while a past moment is drawn (live ticks held)
  store.past = null;
  store.heldTick = null;
  store.heldSnapshot = null;
  store.showPast = (f, info, now) => showPast(store, f, info, now);
  store.leavePast = () => leavePast(store);
  store.pace = {}; // lib/pace.js: real-time factor and this page's lag
  store.applyTick = (msg, now) => applyTick(store, msg, now);
  store.applySnapshot = (snap) => applySnapshot(store, snap);
  store.pushEvent = (name, payload, now) => pushEvent(store, name, payload, now);
  store.select = (i) => {
    if (i === store.selected) return;
    store.selected = i;
    store.selectedHistory.clear();
    if (i >= 0 && i < store.n) store.selectedHistory.push(store.energy[i]);
  };
  store.setOrbitSlots = (sats, offset = 0) => setOrbitSlots(store, sats, offset);
  store.newRun = (reason, now = Date.now()) => newRun(store, reason, now);
  store.reset = () => {
    store.tick = -1;
    store.seq = -1;
    store.frameTime = 0;
    store.n = 0;
    store.nDrones = 0;
    store.nBeams = 0;
    store.layoutVersion++;
    for (const r of Object.values(store.history)) r.clear();
    store._sampleRef = null;
    store.selectedHistory.clear();
  };
  return store;
}

const LIVE_COPIES = ['nextPos', 'colors', 'flags', 'energy', 'queue', 'alt', 'lat', 'lon'];
const LIVE_REFS = ['dPrev', 'dNext', 'dStatus', 'dTarget', 'dBattery'];

/**
 * Draw decoded past frame `f` (lib/timemachine.js) at simulated time info.atS. The first one
 * saves the live clock; live ticks are held by the socket meanwhile, never mixed in.
 */
export function showPast(store, f, info, now) {
  if (!store.past) {
    store.live = { simTime: store.simTime, simDate: store.simDate, tick: store.tick, sun: store.sun,
      n: store.n, nDrones: store.nDrones, nBeams: store.nBeams, derived: store.derived };
    for (const k of LIVE_COPIES) store.live[k] = store[k].slice();
    for (const k of LIVE_REFS) store.live[k] = store[k]; // a past frame has no drones: grow() replaces these
    store.liveSimTime = store.simTime;
    store.liveTicksHeld = 0;
    store.frameTime = 0; // jump, do not sweep, from the live positions
  }
  if (info.jump) store.frameTime = 0;
  store.past = info;
  applyFrame(store, f, now);
  store.simTime = info.atS;
  return store;
}

/** Back to live: the live clock restored; returns what the socket held: {tick, snapshot}. */
export function leavePast(store) {
  const held = { tick: store.heldTick, snapshot: store.heldSnapshot };
  if (store.past && store.live) {
    Object.assign(store, store.live);
    store.prevPos = store.nextPos.slice();
    store.layoutVersion++;
    store.version++;
  }
  store.past = null;
  store.heldTick = null;
  store.heldSnapshot = null;
  store.frameTime = 0;
  return held;
}

function grow(store, n, nd, nb) {
  const out = { sats: false, drones: false };
  if (store.prevPos.length !== n * 3) {
    store.prevPos = new Float32Array(n * 3);
    store.nextPos = new Float32Array(n * 3);
    store.colors = new Float32Array(n * 3);
    store.flags = new Float32Array(n);
    store.energy = new Float32Array(n);
    store.queue = new Float32Array(n);
    store.alt = new Float32Array(n);
    store.lat = new Float32Array(n);
    store.lon = new Float32Array(n);
    store.plane = new Int32Array(n).fill(-1);
    store.slot = new Int32Array(n).fill(-1);
    store.planesKnown = false;
    out.sats = true;
  }
  if (store.dPrev.length !== nd * 3) {
    store.dPrev = new Float32Array(nd * 3);
    store.dNext = new Float32Array(nd * 3);
    store.dStatus = new Int16Array(nd);
    store.dTarget = new Int32Array(nd);
    store.dBattery = new Float32Array(nd);
    out.drones = true;
  }
  if (store.beamFrom.length < nb) {
    const cap = Math.max(16, nb * 2);
    store.beamFrom = new Int32Array(cap);
    store.beamTo = new Int32Array(cap);
    store.beamRate = new Float32Array(cap);
  }
  if (out.sats || out.drones) store.layoutVersion++;
  return out;
}

/**
 * Apply a decoded frame (see frame.js) received at wall time `now` (ms).
 * Positions move from where they are drawn now toward the new ones over one tick interval.
 */
export function applyFrame(store, f, now) {
  const resized = grow(store, f.n, f.nDrones, f.nBeams);
  const gap = store.frameTime ? now - store.frameTime : Infinity;
  const snap = resized.sats || !(gap < 3000) || store.n !== f.n;
  const snapDrones = snap || resized.drones;
  // satellites: carry the drawn position into prev, then write the new target into next
  const a = snap ? 1 : store.alpha(now);
  if (Number.isFinite(gap) && gap > 0 && gap < 3000) {
    store.interval = Math.min(2000, Math.max(16, store.interval * 0.8 + gap * 0.2));
  }
  const P = store.prevPos, Q = store.nextPos;
  const { stride, idx } = f.sat;
  const iLat = idx.lat, iLon = idx.lon, iAlt = idx.alt_km, iE = idx.energy_pct;
  const iF = idx.flags, iQ = idx.queue;
  const s = f.sats;
  const tmp = [0, 0, 0];
  let socSum = 0, blackouts = 0, eclipsed = 0, low = 0;
  for (let i = 0; i < f.n; i++) {
    const k = i * 3, b = i * stride;
    if (!snap) {
      P[k] = P[k] + (Q[k] - P[k]) * a;
      P[k + 1] = P[k + 1] + (Q[k + 1] - P[k + 1]) * a;
      P[k + 2] = P[k + 2] + (Q[k + 2] - P[k + 2]) * a;
    }
    const lat = s[b + iLat], lon = s[b + iLon], alt = s[b + iAlt];
    latLonAltToVector3(lat, lon, alt, Q, k);
    if (snap) { P[k] = Q[k]; P[k + 1] = Q[k + 1]; P[k + 2] = Q[k + 2]; }
    const e = s[b + iE];
    const fl = iF === undefined ? 1 : s[b + iF];
    store.lat[i] = lat;
    store.lon[i] = lon;
    store.alt[i] = alt;
    store.energy[i] = e;
    store.flags[i] = fl;
    store.queue[i] = iQ === undefined ? 0 : s[b + iQ];
    socColor(e, store.colors, k);
    socSum += e;
    if (fl & FLAG_BLACKOUT) blackouts++;
    if (!(fl & FLAG_SUNLIT)) eclipsed++;
    if (e < 25) low++;
  }
  store.n = f.n;

  // drones
  const dS = f.drone.stride, di = f.drone.idx;
  let flights = 0;
  for (let j = 0; j < f.nDrones; j++) {
    const k = j * 3, b = j * dS;
    if (!snapDrones) {
      store.dPrev[k] += (store.dNext[k] - store.dPrev[k]) * a;
      store.dPrev[k + 1] += (store.dNext[k + 1] - store.dPrev[k + 1]) * a;
      store.dPrev[k + 2] += (store.dNext[k + 2] - store.dPrev[k + 2]) * a;
    }
    latLonAltToVector3(f.drones[b + di.lat], f.drones[b + di.lon], f.drones[b + di.alt_km], tmp);
    store.dNext[k] = tmp[0]; store.dNext[k + 1] = tmp[1]; store.dNext[k + 2] = tmp[2];
    if (snapDrones) { store.dPrev[k] = tmp[0]; store.dPrev[k + 1] = tmp[1]; store.dPrev[k + 2] = tmp[2]; }
    const st = Math.round(f.drones[b + di.status]);
    store.dStatus[j] = st;
    store.dTarget[j] = di.target === undefined ? -1 : Math.round(f.drones[b + di.target]);
    store.dBattery[j] = di.battery_pct === undefined ? NaN : f.drones[b + di.battery_pct];
    if (FLIGHT_STATUSES.has(DRONE_STATUSES[st])) flights++;
  }
  store.nDrones = f.nDrones;

  // beams: from, to, rate
  for (let m = 0; m < f.nBeams; m++) {
    store.beamFrom[m] = Math.round(f.beams[m * 3]);
    store.beamTo[m] = Math.round(f.beams[m * 3 + 1]);
    store.beamRate[m] = f.beams[m * 3 + 2];
  }
  store.nBeams = f.nBeams;

  if (f.sun) store.sun = f.sun;
  if (f.simDate) store.simDate = f.simDate;
  store.derived = {
    flights,
    blackouts,
    eclipsed,
    lowCount: low,
    meanSoc: f.n ? socSum / f.n : NaN,
  };
  if (!store.past && store.selected >= 0 && store.selected < f.n) store.selectedHistory.push(store.energy[store.selected]);
  store.frameTime = now;
  store.version++;
  return store;
}

/** Apply the JSON part of a `tick` message (counters, totals, KPIs) and sample history. */
export function applyTick(store, msg, now) {
  if (!msg || typeof msg !== 'object') return store;
  if (Number.isFinite(msg.tick) && msg.tick < store.tick) newRun(store, 'reset', Date.now());
  if (Number.isFinite(msg.seq)) store.seq = msg.seq;
  if (Number.isFinite(msg.tick)) store.tick = msg.tick;
  if (Number.isFinite(msg.sim_time)) store.simTime = msg.sim_time;
  if (msg.sim_date) store.simDate = msg.sim_date;
  if (typeof msg.paused === 'boolean') store.paused = msg.paused;
  if (msg.sun) store.sun = msg.sun;
  if (msg.smoke && typeof msg.smoke === 'object') store.smoke = msg.smoke;
  store.counters = msg.counters || {};
  store.totals = msg.totals || store.totals;
  store.kpis = msg.kpis || {};
  if (typeof store.kpis.paused === 'boolean') store.paused = store.kpis.paused;
  store.lastTickWall = now;
  notePace(store.pace, msg, Date.now());
  sampleHistory(store, now);
  return store;
}

function totalOf(totals, name) {
  const v = totals && totals[name];
  return Number.isFinite(v) ? v : 0;
}

/** Once per wall second, push rates (from cumulative totals) and levels into the history rings. */
export function sampleHistory(store, now) {
  const ref = store._sampleRef;
  const cur = {
    now,
    tick: store.tick,
    created: totalOf(store.totals, 'task.created'),
    completed: totalOf(store.totals, 'task.completed'),
    dropped: totalOf(store.totals, 'task.dropped'),
    alerts: sumAlerts(store.totals),
  };
  if (!ref) { store._sampleRef = cur; return false; }
  const dt = (now - ref.now) / 1000;
  if (dt < 1) return false;
  const k = store.kpis;
  const h = store.history;
  const rate = (a, b) => Math.max(0, (a - b) / dt);
  const d = store.derived;
  h.created.push(rate(cur.created, ref.created));
  h.completed.push(rate(cur.completed, ref.completed));
  h.dropped.push(rate(cur.dropped, ref.dropped));
  h.alerts.push(rate(cur.alerts, ref.alerts));
  h.tickHz.push(rate(cur.tick, ref.tick));
  h.queue.push(kpiQueue(store) ?? NaN);
  h.latencyMs.push(kpiLatencyMs(k) ?? NaN);
  h.tickMs.push(pickNumber(k, 'tick_ms', 'last_tick_ms') ?? store.health?.last_tick_ms ?? NaN);
  h.beams.push(pickNumber(k, 'active_beams') ?? store.nBeams);
  h.flights.push(pickNumber(k, 'drones_flying') ?? d.flights);
  h.meanSoc.push(pickNumber(k, 'mean_energy_pct') ?? d.meanSoc);
  h.blackouts.push(pickNumber(k, 'blackout') ?? d.blackouts);
  store._sampleRef = cur;
  store.historyVersion++;
  return true;
}

/** Pending task queue depth from the tick KPIs (or the last snapshot). */
export function kpiQueue(store) {
  return pickNumber(store.kpis, 'queue_depth', 'pending', 'queues.pending', 'queue.pending')
    ?? pickNumber(store.snapshot, 'queues.pending');
}

/** Delegation latency in ms from the KPIs (seconds or milliseconds keys). */
export function kpiLatencyMs(k) {
  const ms = pickNumber(k, 'delegation_latency_ms', 'latency_ms', 'assign_latency_ms',
    'delegation_latency_p50_ms', 'latency.p50_ms');
  if (ms !== undefined) return ms;
  const s = pickNumber(k, 'delegation_latency_s.p50', 'delegation_latency_s', 'latency_s',
    'delegation_latency_s.mean', 'latency.p50_s', 'latency.mean_s');
  return s === undefined ? undefined : s * 1000;
}

/** Take the static parts of a snapshot (`state` event or GET /api/state). */
export function applySnapshot(store, snap) {
  if (!snap || typeof snap !== 'object') return store;
  store.snapshot = snap;
  if (Array.isArray(snap.ground_stations)) store.groundStations = snap.ground_stations;
  if (typeof snap.paused === 'boolean') store.paused = snap.paused;
  if (Number.isFinite(snap.tick)) {
    if (snap.tick < store.tick) newRun(store, 'new run', Date.now());
    store.tick = snap.tick;
  }
  if (Number.isFinite(snap.sim_time)) store.simTime = snap.sim_time;
  if (snap.sim_date) store.simDate = snap.sim_date;
  if (snap.sun) store.sun = snap.sun;
  if (snap.counters && snap.counters.events) store.totals = { ...snap.counters.events };
  return store;
}

/**
 * Record plane and slot of satellites `offset`.. from a list of {plane, slot} in index order
 * (GET /api/state?fields=plane,slot). Search by plane/slot works once every satellite is known.
 */
export function setOrbitSlots(store, sats, offset = 0) {
  if (!Array.isArray(sats)) return store;
  for (let k = 0; k < sats.length && offset + k < store.plane.length; k++) {
    store.plane[offset + k] = Number.isFinite(sats[k].plane) ? sats[k].plane : -1;
    store.slot[offset + k] = Number.isFinite(sats[k].slot) ? sats[k].slot : -1;
  }
  store.planesKnown = store.n > 0 && offset + sats.length >= store.n;
  return store;
}

/**
 * A new run began (the tick went backwards: reset, or reconnected to a restarted server):
 * drop the KPI history and the event log that describe the old one, and mark the feed.
 */
export function newRun(store, reason, now) {
  for (const r of Object.values(store.history)) r.clear();
  store._sampleRef = null;
  store.events.length = 0;
  store.alertsTotal = 0;
  store.planesKnown = false;
  store.runs++;
  store.eventSeq++;
  store.events.push({ id: store.eventSeq, name: `run.${reason.replace(/\s+/g, '_')}`, kind: 'marker',
    payload: { reason }, tick: store.tick, simTime: 0, now });
  return store;
}

/** Append one event to the bounded feed log. */
export function pushEvent(store, name, payload, now) {
  const kind = eventKind(name);
  store.eventSeq++;
  store.events.push({ id: store.eventSeq, name, kind, payload, tick: store.tick, simTime: store.simTime, now });
  if (store.events.length > EVENT_LOG_SIZE * 1.25) store.events.splice(0, store.events.length - EVENT_LOG_SIZE);
  if (kind === 'alert') store.alertsTotal++;
  return store;
}

/** Index of the satellite an event is about (satellite_id, from, to), or -1. */
export function eventSatellite(payload) {
  if (!payload) return -1;
  for (const key of ['satellite_id', 'from', 'to']) {
    const i = satIndex(payload[key]);
    if (i >= 0) return i;
  }
  return -1;
}
