// Names and codes from docs/interfaces.md (the engine <-> server <-> globe contract).

export const TASK_EVENTS = ['task.created', 'task.assigned', 'task.completed', 'task.dropped'];
export const SAT_EVENTS = ['sat.energy_transfer_started', 'sat.energy_transfer_ended'];
export const DRONE_EVENTS = ['drone.launched', 'drone.arrived', 'drone.charged', 'drone.recalled'];
export const ALERT_EVENTS = [
  'alert.low_energy',
  'alert.overloaded',
  'alert.blackout_avoided',
  'alert.loop_failed',
];
export const ALL_EVENTS = [...TASK_EVENTS, ...SAT_EVENTS, ...DRONE_EVENTS, ...ALERT_EVENTS];

/** Drone status code = index in this list; -1 or out of range is unknown. */
export const DRONE_STATUSES = ['charging', 'standby', 'enroute', 'docking', 'returning', 'out_of_service'];

export const FLAG_SUNLIT = 1;
export const FLAG_BLACKOUT = 2;
export const FLAG_GIVING = 4;
export const FLAG_RECEIVING = 8;
export const FLAG_BLOCKED = 16;
export const FLAG_TOPUP = 32;

/** `sat-12` (or `sat-012`) -> 12; anything else -> -1. */
export function satIndex(id) {
  const m = /^sat-(\d+)$/i.exec(String(id ?? '').trim());
  return m ? Number(m[1]) : -1;
}

// Digits in the server's satellite ids (`sat-7` is 0, `sat-007` is 3), learnt from the first id
// seen in a snapshot, so the globe names satellites exactly as the API does.
let idDigits = 0;

/** Remember the zero-padding from the id of satellite 0 as the server spells it (`sat-000` -> 3). */
export function learnSatIdFormat(firstId) {
  const m = /^sat-(\d+)$/.exec(String(firstId ?? ''));
  if (m && Number(m[1]) === 0) idDigits = m[1].length > 1 ? m[1].length : 0;
}

/** The API id of satellite index `i`: `sat-12` or, for padded ids, `sat-012`. */
export function satId(i) {
  return `sat-${String(i).padStart(idDigits, '0')}`;
}

/** Kind of an event name: 'task' | 'sat' | 'drone' | 'alert' | 'other'. */
export function eventKind(name) {
  const k = String(name).split('.')[0];
  return ['task', 'sat', 'drone', 'alert'].includes(k) ? k : 'other';
}
