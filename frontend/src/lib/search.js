// Satellite search: by id, by orbital plane and slot, or by state, over the store's arrays.
//
// Query forms (case-insensitive):
//   sat-042, sat-42, 42        one satellite by id or its number (1-based, as in the id)
//   plane 3, p3                every satellite of plane 3
//   plane 3 slot 5, p3s5, 3/5  the satellite in slot 5 of plane 3
//   blackout | low | beaming | receiving | eclipse | sunlit | topup   satellites in that state

import { FLAG_BLACKOUT, FLAG_GIVING, FLAG_RECEIVING, FLAG_SUNLIT, FLAG_TOPUP, satId, satIndexTyped } from './protocol.js';

/** Below this state of charge (%) a satellite counts as `low` (the beaming rule's receiver mark). */
export const LOW_PCT = 25;

export const STATES = {
  blackout: (s, i) => (s.flags[i] & FLAG_BLACKOUT) !== 0,
  low: (s, i) => s.energy[i] < LOW_PCT && (s.flags[i] & FLAG_BLACKOUT) === 0,
  beaming: (s, i) => (s.flags[i] & (FLAG_GIVING | FLAG_RECEIVING)) !== 0,
  receiving: (s, i) => (s.flags[i] & FLAG_RECEIVING) !== 0,
  eclipse: (s, i) => (s.flags[i] & FLAG_SUNLIT) === 0,
  sunlit: (s, i) => (s.flags[i] & FLAG_SUNLIT) !== 0,
  topup: (s, i) => (s.flags[i] & FLAG_TOPUP) !== 0,
};

export const SEARCH_HELP = 'try sat-012, 12, plane 3, p3s5, blackout, low, beaming';

/** Parse a query into {kind: 'id'|'plane'|'slot'|'state', ...} or {kind: 'invalid'}. */
export function parseQuery(text) {
  const q = String(text ?? '').trim().toLowerCase();
  if (!q) return { kind: 'empty' };
  const id = satIndexTyped(q);
  if (id >= 0) return { kind: 'id', index: id };
  let m = /^(?:p|plane)\s*[:=]?\s*(\d+)\s*(?:,|\/)?\s*(?:s|slot)\s*[:=]?\s*(\d+)$/.exec(q) || /^(\d+)\s*\/\s*(\d+)$/.exec(q);
  if (m) return { kind: 'slot', plane: Number(m[1]), slot: Number(m[2]) };
  m = /^(?:p|plane)\s*[:=]?\s*(\d+)$/.exec(q);
  if (m) return { kind: 'plane', plane: Number(m[1]) };
  if (q in STATES) return { kind: 'state', state: q };
  return { kind: 'invalid' };
}

/**
 * Satellites matching `text` in `store` (arrays n, flags, energy, plane, slot).
 * Returns {matches: [index...] (at most `limit`), total, error} where error is a message or ''.
 */
export function searchSatellites(store, text, limit = 50) {
  const q = parseQuery(text);
  const n = store.n;
  const out = { matches: [], total: 0, error: '', query: q };
  const add = (i) => { out.total++; if (out.matches.length < limit) out.matches.push(i); };
  if (q.kind === 'empty') return out;
  if (q.kind === 'invalid') { out.error = `not understood: "${String(text).trim()}"; ${SEARCH_HELP}`; return out; }
  if (q.kind === 'id') {
    if (q.index < n) add(q.index);
    else out.error = `no satellite ${satId(q.index)}: there are ${n} (${satId(0)}…${satId(Math.max(0, n - 1))})`;
    return out;
  }
  if (q.kind === 'plane' || q.kind === 'slot') {
    if (!store.plane || store.plane.length < n || store.planesKnown !== true) {
      out.error = 'plane and slot are still loading; try again in a moment';
      return out;
    }
    for (let i = 0; i < n; i++) {
      if (store.plane[i] !== q.plane) continue;
      if (q.kind === 'slot' && store.slot[i] !== q.slot) continue;
      add(i);
    }
    if (!out.total) out.error = q.kind === 'plane' ? `no plane ${q.plane}` : `no slot ${q.slot} in plane ${q.plane}`;
    return out;
  }
  const test = STATES[q.state];
  for (let i = 0; i < n; i++) if (test(store, i)) add(i);
  if (!out.total) out.error = `no satellite is ${q.state} right now`;
  return out;
}
