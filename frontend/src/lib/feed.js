// The event feed's rows: newest first, filtered, with bursts of one kind folded into one row.

/** How a burst of each event name reads: "48 beams started in 10 s". */
const BURST_NOUNS = {
  'task.created': 'tasks created',
  'task.assigned': 'tasks assigned',
  'task.completed': 'tasks completed',
  'task.dropped': 'tasks dropped',
  'sat.energy_transfer_started': 'beams started',
  'sat.energy_transfer_ended': 'beams ended',
  'drone.launched': 'drones launched',
  'drone.arrived': 'drones docked',
  'drone.charged': 'drone charges delivered',
  'drone.recalled': 'drones recalled',
  'alert.low_energy': 'low-energy alerts',
  'alert.overloaded': 'overload alerts',
  'alert.blackout_avoided': 'blackouts avoided',
  'alert.loop_failed': 'loop failures',
};

/** Window (wall seconds) within which events of one name fold into a burst. */
export const BURST_WINDOW_S = 10;
/** Fewest events of one name that make a burst row. */
export const BURST_MIN = 4;

/** "48 beams started in 10 s" for `count` events of `name` spread over `spanS` seconds. */
export function burstText(name, count, spanS) {
  const noun = BURST_NOUNS[name] || `× ${name}`;
  const span = spanS < 1 ? 'under 1 s' : `${Math.max(1, Math.round(spanS))} s`;
  return `${count} ${noun} in ${span}`;
}

/**
 * Rows for the feed from `events` (oldest first, each {id, name, kind, now (wall ms), ...}).
 * Newest first; events for which `keep(e)` is false are skipped; at most `limit` rows. Events
 * of one name within `windowS` of the newest of them fold into one row, even when other kinds
 * are interleaved, {burst: true, id, name, kind, count, spanS, events (newest first)}, placed
 * where the newest one was, when there are at least `minCount`; markers (kind 'marker') always
 * stand alone.
 */
export function feedRows(events, keep = () => true, { limit = 60, windowS = BURST_WINDOW_S, minCount = BURST_MIN } = {}) {
  // pass 1: each kept event joins the open group of its name if it is within the window
  const open = new Map(); // name -> group
  const groupOf = new Map(); // event id -> group
  const kept = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.kind === 'marker') { kept.push(e); open.clear(); continue; } // never fold across a new run
    if (!keep(e)) continue;
    kept.push(e);
    let g = open.get(e.name);
    if (!g || (g.events[0].now - e.now) / 1000 > windowS) {
      g = { events: [] };
      open.set(e.name, g);
    }
    g.events.push(e);
    groupOf.set(e.id, g);
  }
  // pass 2: a big group is one row where its newest event was; small groups stay as events
  const rows = [];
  for (const e of kept) {
    if (rows.length >= limit) break;
    const g = groupOf.get(e.id);
    if (!g || g.events.length < minCount) { rows.push(e); continue; }
    if (g.events[0] !== e) continue;
    const last = g.events[g.events.length - 1];
    rows.push({ burst: true, id: `b${e.id}`, name: e.name, kind: e.kind, count: g.events.length,
      spanS: (e.now - last.now) / 1000, events: g.events, simTime: last.simTime });
  }
  return rows;
}
