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
 * Newest first; events for which `keep(e)` is false are skipped; at most `limit` rows. Runs of
 * the same name (no other kept event between them) within `windowS` fold into one row
 * {burst: true, id, name, kind, count, spanS, events (newest first)} when there are at least
 * `minCount`; markers (kind 'marker') always stand alone.
 */
export function feedRows(events, keep = () => true, { limit = 60, windowS = BURST_WINDOW_S, minCount = BURST_MIN } = {}) {
  const rows = [];
  let run = null;
  const flush = () => {
    if (!run) return;
    if (run.events.length >= minCount) {
      const first = run.events[0], last = run.events[run.events.length - 1];
      rows.push({ burst: true, id: `b${first.id}`, name: first.name, kind: first.kind, count: run.events.length,
        spanS: (first.now - last.now) / 1000, events: run.events, simTime: last.simTime });
    } else {
      rows.push(...run.events);
    }
    run = null;
  };
  for (let i = events.length - 1; i >= 0 && rows.length < limit; i--) {
    const e = events[i];
    if (e.kind !== 'marker' && !keep(e)) continue;
    if (run && e.kind !== 'marker' && e.name === run.name && (run.events[0].now - e.now) / 1000 <= windowS) {
      run.events.push(e);
      continue;
    }
    flush();
    if (e.kind === 'marker') rows.push(e);
    else run = { name: e.name, events: [e] };
  }
  flush();
  return rows.slice(0, limit);
}
