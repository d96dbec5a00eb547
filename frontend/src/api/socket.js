// Socket.IO client for namespace /ws (docs/interfaces.md): feeds the store, reports status.

import { io } from 'socket.io-client';
import { ALL_EVENTS } from '../lib/protocol.js';
import { decodeFrame, findFrame, frameFromSnapshot } from '../lib/frame.js';

export const CONNECT_SAT_LIMIT = 2000;

const nextFrame = typeof requestAnimationFrame === 'function'
  ? (fn) => requestAnimationFrame(fn) : (fn) => fn();

/**
 * Connect to `/ws` and route what arrives into `store`.
 * Ticks are applied at most once per animation frame (`schedule`, default requestAnimationFrame):
 * when several arrive before the page draws, only the newest is decoded and the others are
 * counted in `store.ticksSkipped`, so a page that falls behind the server skips ahead instead of
 * queueing work.
 * Callbacks: onStatus({state, detail}) with state 'connecting'|'connected'|'reconnecting'|'down';
 * onSnapshot(snapshot); onEvent(name, payload). Returns {socket, subscribe, unsubscribe, close}.
 */
export function connectSocket(store, { url = '/ws', onStatus, onSnapshot, onEvent, ioImpl = io, schedule = nextFrame,
  tokens = null } = {}) {
  const status = (state, detail = '') => onStatus && onStatus({ state, detail, at: Date.now() });
  const socket = ioImpl(url, {
    transports: ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    timeout: 5000,
    // the connect-time state lists at most this many satellites (about 0.5 KB each); larger
    // constellations are placed by the first binary tick, 1/10 s later. Read at every
    // (re)connect, so a token given after a refusal is sent on the next try.
    auth: (cb) => {
      const token = tokens && tokens.token();
      cb(token ? { sat_limit: CONNECT_SAT_LIMIT, token } : { sat_limit: CONNECT_SAT_LIMIT });
    },
  });
  // Event names the user has narrowed away; re-applied after every reconnect.
  let unsubscribed = new Set();
  let failures = 0;

  status('connecting');
  socket.on('connect', () => {
    failures = 0;
    status('connected');
    if (unsubscribed.size) socket.emit('unsubscribe', { events: [...unsubscribed] });
  });
  socket.on('disconnect', (reason) => status('reconnecting', `disconnected: ${reason}`));
  socket.on('connect_error', (err) => {
    const refused = err && err.data && err.data.error;
    if (refused && refused.code === 'unauthorized' && tokens) {
      // the server refused the connect (it does not retry by itself): ask, then connect again
      status('down', refused.message);
      tokens.renew(refused.message).then((token) => { if (token) socket.connect(); });
      return;
    }
    failures++;
    status(failures >= 2 ? 'down' : 'reconnecting', err && err.message ? err.message : 'connect error');
  });

  socket.on('state', (snap) => {
    if (store.past) { store.heldSnapshot = snap; return; } // the time machine shows the past
    store.applySnapshot(snap);
    const f = frameFromSnapshot(snap);
    if (f) store.applyFrame(f, performance.now());
    if (onSnapshot) onSnapshot(snap);
  });

  let pending = null; // the newest tick not applied yet: [msg, rest]
  store.ticksSkipped = store.ticksSkipped || 0;
  const applyPending = () => {
    const p = pending;
    pending = null;
    if (p) applyTickMessage(p[0], p[1]);
  };
  socket.on('tick', (msg, ...rest) => {
    const waiting = pending !== null;
    pending = [msg, rest];
    if (waiting) store.ticksSkipped++;
    else schedule(applyPending);
  });

  function applyTickMessage(msg, rest) {
    if (store.past) { holdTick(store, msg, rest); return; }
    const now = performance.now();
    // the tick went backwards: a reset; jump to the new positions instead of sweeping there
    if (msg && Number.isFinite(msg.tick) && msg.tick < store.tick) store.frameTime = 0;
    const raw = findFrame(msg, rest);
    if (raw) {
      try {
        store.applyFrame(decodeFrame(raw), now);
      } catch (err) {
        store.frameErrors = (store.frameErrors || 0) + 1;
        store.lastFrameError = String(err && err.message);
      }
    }
    store.applyTick(msg, now);
  }

  // the server could not build the connect-time state (it says why): show it in the feed
  socket.on('error', (body) => {
    store.pushEvent('server.error', body && body.error ? body.error : body, Date.now());
  });

  for (const name of ALL_EVENTS) {
    socket.on(name, (payload) => {
      store.pushEvent(name, payload, Date.now());
      if (onEvent) onEvent(name, payload);
    });
  }

  return {
    socket,
    /** Leave the time machine: the newest live state held meanwhile is drawn at once. */
    backToLive() {
      const { tick, snapshot } = store.leavePast();
      if (snapshot) store.applySnapshot(snapshot);
      if (tick) applyTickMessage(tick[0], tick[1]);
    },
    subscribe(events) {
      events.forEach((e) => unsubscribed.delete(e));
      if (socket.connected) socket.emit('subscribe', { events });
    },
    unsubscribe(events) {
      events.forEach((e) => unsubscribed.add(e));
      if (socket.connected) socket.emit('unsubscribe', { events });
    },
    close() {
      unsubscribed = new Set();
      socket.close();
    },
  };
}

/** While the time machine shows the past, keep only the newest live tick (drawn on return). */
function holdTick(store, msg, rest) {
  store.heldTick = [msg, rest];
  store.liveTicksHeld = (store.liveTicksHeld || 0) + 1;
  if (msg && Number.isFinite(msg.sim_time)) store.liveSimTime = msg.sim_time;
}
