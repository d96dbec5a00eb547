import { describe, it, expect } from 'vitest';
import { connectSocket } from './socket.js';
import { createStore } from '../lib/store.js';

/** A stand-in for socket.io-client: records emits, lets the test fire server events. */
function fakeIo() {
  const handlers = {};
  const socket = {
    connected: false,
    emitted: [],
    on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); },
    emit(name, data) { this.emitted.push([name, data]); },
    close() { this.closed = true; },
    fire(name, ...args) { (handlers[name] || []).forEach((fn) => fn(...args)); },
  };
  const io = (url, opts) => { socket.url = url; socket.opts = opts; return socket; };
  return { io, socket };
}

const le = (values) => Float32Array.from(values).buffer;

describe('connectSocket', () => {
  it('connects to /ws and reports status changes', () => {
    const { io, socket } = fakeIo();
    const seen = [];
    connectSocket(createStore(), { ioImpl: io, onStatus: (s) => seen.push(s.state) });
    expect(socket.url).toBe('/ws');
    socket.connected = true;
    socket.fire('connect');
    socket.fire('disconnect', 'transport close');
    socket.fire('connect_error', new Error('refused'));
    socket.fire('connect_error', new Error('refused'));
    expect(seen).toEqual(['connecting', 'connected', 'reconnecting', 'reconnecting', 'down']);
  });

  it('decodes the binary frame spread into a tick and applies counters', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    connectSocket(store, { ioImpl: io });
    socket.fire('tick', {
      seq: 7, tick: 70, sim_time: 210, paused: false, counters: { 'task.created': 3 },
      totals: { 'task.created': 30 }, kpis: { pending: 4 },
      n_satellites: 1, n_drones: 0, n_beams: 0, sun: { lat: 1, lon: 2 },
      sat_fields: ['lat', 'lon', 'alt_km', 'energy_pct', 'flags', 'queue'],
      sats: le([0, 0, 550, 42, 1, 0]), drones: new ArrayBuffer(0), beams: new ArrayBuffer(0),
    });
    expect(store.n).toBe(1);
    expect(store.energy[0]).toBeCloseTo(42);
    expect(store.tick).toBe(70);
    expect(store.totals['task.created']).toBe(30);
  });

  it('counts a frame it cannot decode instead of throwing', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    connectSocket(store, { ioImpl: io });
    socket.fire('tick', { tick: 1, n_satellites: 5, sats: le([1, 2, 3]) });
    expect(store.frameErrors).toBe(1);
    expect(store.tick).toBe(1);
  });

  it('applies the connect-time state and draws from it at once', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    let snap = null;
    connectSocket(store, { ioImpl: io, onSnapshot: (s) => { snap = s; } });
    socket.fire('state', { tick: 5, ground_stations: [{ station_id: 'gs-001', lat: 0, lon: 0 }],
      satellites: [{ satellite_id: 'sat-001', position: { lat: 0, lon: 0, alt: 550 }, energy_pct: 80, sunlit: true }] });
    expect(snap.tick).toBe(5);
    expect(store.n).toBe(1);
    expect(store.groundStations.length).toBe(1);
  });

  it('keeps unsubscriptions across reconnects', () => {
    const { io, socket } = fakeIo();
    const c = connectSocket(createStore(), { ioImpl: io });
    c.unsubscribe(['task.created']);
    expect(socket.emitted).toEqual([]); // not connected yet
    socket.connected = true;
    socket.fire('connect');
    expect(socket.emitted).toEqual([['unsubscribe', { events: ['task.created'] }]]);
    c.subscribe(['task.created']);
    socket.fire('connect');
    expect(socket.emitted.at(-1)).toEqual(['subscribe', { events: ['task.created'] }]);
    expect(socket.emitted.length).toBe(2);
  });

  it('logs named events into the feed', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    connectSocket(store, { ioImpl: io });
    socket.fire('alert.low_energy', { satellite_id: 'sat-002', energy_pct: 20 });
    socket.fire('error', { error: { code: 'timeout', message: 'state unavailable' } });
    expect(store.events.map((e) => e.name)).toEqual(['alert.low_energy', 'server.error']);
  });

  it('applies only the newest of several ticks that arrive before the page draws', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    const queued = [];
    connectSocket(store, { ioImpl: io, schedule: (fn) => queued.push(fn) });
    const frame = (e) => ({ n_satellites: 1, n_drones: 0, n_beams: 0, sats: le([0, 0, 550, e, 1, 0]),
      drones: new ArrayBuffer(0), beams: new ArrayBuffer(0) });
    for (let t = 1; t <= 5; t++) socket.fire('tick', { tick: t, ...frame(t * 10) });
    expect(store.tick).toBe(-1); // nothing applied before the frame
    expect(queued).toHaveLength(1);
    queued.shift()();
    expect(store.tick).toBe(5);
    expect(store.energy[0]).toBeCloseTo(50);
    expect(store.ticksSkipped).toBe(4);
  });

  it('marks a new run in the feed when the tick goes backwards', () => {
    const { io, socket } = fakeIo();
    const store = createStore();
    connectSocket(store, { ioImpl: io });
    socket.fire('tick', { tick: 100 });
    socket.fire('alert.low_energy', { satellite_id: 'sat-002', energy_pct: 20 });
    socket.fire('tick', { tick: 2 });
    expect(store.events.map((e) => e.kind)).toEqual(['marker']);
    expect(store.runs).toBe(1);
  });

  it('names satellites and drones as the API does (1-based, three digits at least)', async () => {
    const { satId, satIndex, batteryId, batteryIndex, satIndexTyped } = await import('../lib/protocol.js');
    expect([satId(0), satId(7), satId(998), satId(999)]).toEqual(['sat-001', 'sat-008', 'sat-999', 'sat-1000']);
    expect([batteryId(0), batteryIndex('bat-016')]).toEqual(['bat-001', 15]);
    expect(['sat-001', 'sat-1000', 'sat-1', 'sat-0001', 'sat-000', 'SAT-001', 'bat-001'].map(satIndex))
      .toEqual([0, 999, -1, -1, -1, -1, -1]);
    expect(['sat-42', 'SAT-042', '42', ' sat-0042 ', 'sat-0', '0', 'x42'].map(satIndexTyped))
      .toEqual([41, 41, 41, 41, -1, -1, -1]);
  });
});
