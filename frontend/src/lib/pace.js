// How far behind the simulation and this page are: from the `tick` payload's real_time_factor
// (server: sim seconds advanced per wall second over the last 10 s, / time_scale) and its
// tick_wall_time (server clock, unix s).

export const SLOW_RTF = 0.9; // below: "running at 0.4x requested speed"
export const BEHIND_S = 2; // page lag above this many seconds: "this page is N s behind"

/**
 * Note one tick's pace in `pace` ({rtf, minLagS, behindS}). The page's lag is the tick's age
 * when handled minus the smallest age seen, so a clock offset between server and browser
 * cancels out. `nowMs` is Date.now().
 */
export function notePace(pace, msg, nowMs) {
  if (!msg || typeof msg !== 'object') return pace;
  if ('real_time_factor' in msg) pace.rtf = Number.isFinite(msg.real_time_factor) ? msg.real_time_factor : null;
  if (Number.isFinite(msg.tick_wall_time)) {
    const lag = nowMs / 1000 - msg.tick_wall_time;
    pace.minLagS = Number.isFinite(pace.minLagS) ? Math.min(pace.minLagS, lag) : lag;
    pace.behindS = lag - pace.minLagS;
  }
  return pace;
}

/** The warnings to show for `pace` (strings, possibly none). */
export function paceWarnings(pace) {
  const out = [];
  if (Number.isFinite(pace.rtf) && pace.rtf < SLOW_RTF) {
    out.push(`running at ${pace.rtf.toFixed(pace.rtf < 0.1 ? 2 : 1)}x requested speed`);
  }
  if (Number.isFinite(pace.behindS) && pace.behindS > BEHIND_S) {
    out.push(`this page is ${Math.round(pace.behindS)} s behind`);
  }
  return out;
}
