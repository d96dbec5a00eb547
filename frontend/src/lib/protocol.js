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

// Ids as the API spells them (backend/core/ids.py): numbered from 1, zero-padded to at least
// three digits. Satellite index 0 in the frame arrays is `sat-001`, index 999 is `sat-1000`.
const CANONICAL = /^(sat|bat|gs)-(00[1-9]|0[1-9]\d|[1-9]\d{2,11})$/;

function entityId(prefix, i) {
  return `${prefix}-${String(i + 1).padStart(3, '0')}`;
}

function entityIndex(prefix, id) {
  const m = CANONICAL.exec(String(id ?? ''));
  return m && m[1] === prefix ? Number(m[2]) - 1 : -1;
}

/** The API id of satellite index `i`: 0 -> `sat-001`. */
export const satId = (i) => entityId('sat', i);
/** The API id of battery drone index `j`: 0 -> `bat-001`. */
export const batteryId = (j) => entityId('bat', j);
/** Index of a canonical satellite id (`sat-012` -> 11); anything else (`sat-12`, `sat-0012`) -> -1. */
export const satIndex = (id) => entityIndex('sat', id);
/** Index of a canonical battery drone id (`bat-002` -> 1), else -1. */
export const batteryIndex = (id) => entityIndex('bat', id);

/**
 * Index of the satellite a person means by `sat-12`, `sat-012`, `SAT-12` or `12` (its number,
 * as in the id), or -1: lenient about case and padding, for the search box and typed links.
 */
export function satIndexTyped(text) {
  const m = /^(?:sat-?)?0*(\d{1,12})$/i.exec(String(text ?? '').trim());
  const n = m ? Number(m[1]) : 0;
  return n >= 1 ? n - 1 : -1;
}

/** Kind of an event name: 'task' | 'sat' | 'drone' | 'alert' | 'other'. */
export function eventKind(name) {
  const k = String(name).split('.')[0];
  return ['task', 'sat', 'drone', 'alert'].includes(k) ? k : 'other';
}
