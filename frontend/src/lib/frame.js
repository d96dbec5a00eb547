// Decode the binary globe frame carried by the `tick` event (docs/interfaces.md, "Globe frame").
//
// The header is JSON; `sats`, `drones` and `beams` are little-endian float32 arrays that
// Socket.IO hands to the browser as ArrayBuffer (Node's client gives Buffer / Uint8Array).

import { satIndex } from './protocol.js';

const DEFAULT_SAT_FIELDS = ['lat', 'lon', 'alt_km', 'energy_pct', 'flags', 'queue'];
const DEFAULT_DRONE_FIELDS = ['lat', 'lon', 'alt_km', 'status', 'target', 'battery_pct'];
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Error raised for a frame whose sizes disagree with its header. */
export class FrameError extends Error {}

/** A Float32Array over any binary value (ArrayBuffer, typed array, DataView, Buffer), or null. */
export function toFloat32(bin) {
  if (bin == null) return null;
  let buf, off, len;
  if (bin instanceof ArrayBuffer) {
    buf = bin; off = 0; len = bin.byteLength;
  } else if (ArrayBuffer.isView(bin)) {
    if (bin instanceof Float32Array) return bin;
    buf = bin.buffer; off = bin.byteOffset; len = bin.byteLength;
  } else if (Array.isArray(bin)) {
    return Float32Array.from(bin);
  } else {
    throw new FrameError(`expected binary float32 data, got ${typeof bin}`);
  }
  if (len % 4 !== 0) throw new FrameError(`binary length ${len} is not a multiple of 4`);
  if (LITTLE_ENDIAN && off % 4 === 0) return new Float32Array(buf, off, len / 4);
  const dv = new DataView(buf, off, len);
  const out = new Float32Array(len / 4);
  for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

function fieldIndex(fields, defaults) {
  const list = Array.isArray(fields) && fields.length ? fields : defaults;
  const idx = {};
  list.forEach((f, i) => { idx[f] = i; });
  return { stride: list.length, idx };
}

function checkedArray(bin, count, stride, name) {
  const arr = toFloat32(bin) || new Float32Array(0);
  if (arr.length < count * stride) {
    throw new FrameError(`${name}: ${arr.length} floats for ${count} x ${stride} fields`);
  }
  return arr;
}

/**
 * Find the globe frame in a `tick` message: `msg.frame`, the message itself, or a
 * separate Socket.IO argument. Returns the frame object or null when the tick has none.
 */
export function findFrame(msg, extraArgs = []) {
  if (msg && typeof msg === 'object') {
    if (msg.frame && typeof msg.frame === 'object') return msg.frame;
    if ('sats' in msg || 'n_satellites' in msg) return msg;
  }
  for (const a of extraArgs) {
    if (a && typeof a === 'object' && ('sats' in a || 'n_satellites' in a)) return a;
  }
  return null;
}

/**
 * Decode a frame header + arrays into
 * {n, nDrones, nBeams, sun, simDate, sats, drones, beams, sat: {stride, idx}, drone: {stride, idx}}.
 * Throws FrameError when a count and its array disagree.
 */
export function decodeFrame(frame) {
  if (!frame || typeof frame !== 'object') throw new FrameError('no frame');
  const sat = fieldIndex(frame.sat_fields, DEFAULT_SAT_FIELDS);
  const drone = fieldIndex(frame.drone_fields, DEFAULT_DRONE_FIELDS);
  const n = Number(frame.n_satellites) || 0;
  const nDrones = Number(frame.n_drones) || 0;
  const nBeams = Number(frame.n_beams) || 0;
  return {
    n,
    nDrones,
    nBeams,
    sun: frame.sun || null,
    simDate: frame.sim_date || null,
    sats: checkedArray(frame.sats, n, sat.stride, 'sats'),
    drones: checkedArray(frame.drones, nDrones, drone.stride, 'drones'),
    beams: checkedArray(frame.beams, nBeams, 3, 'beams'),
    sat,
    drone,
  };
}

const STATUS_CODE = {
  charging: 0, standby: 1, enroute: 2, docking: 3, returning: 4, out_of_service: 5,
};

/**
 * Build a decoded frame from a JSON snapshot (`state` event or GET /api/state), so the globe
 * can draw at once on connect, before the first binary tick arrives. Returns null if the
 * snapshot holds no satellites or only a page of them (the next tick frame places them all).
 */
export function frameFromSnapshot(snap) {
  const sats = snap && Array.isArray(snap.satellites) ? snap.satellites : null;
  if (!sats || !sats.length) return null;
  if (Number.isFinite(snap.n_satellites) && sats.length !== snap.n_satellites) return null;
  const drones = Array.isArray(snap.drones) ? snap.drones : [];
  const n = sats.length;
  const s = new Float32Array(n * 6);
  const beams = [];
  sats.forEach((sat, i) => {
    const p = sat.position || {};
    const flags = (sat.sunlit ? 1 : 0) | (sat.blackout ? 2 : 0)
      | (sat.giving_energy === 'active' ? 4 : 0) | (sat.receiving_from ? 8 : 0)
      | (sat.giving_energy === 'blocked' ? 16 : 0) | (sat.topup_requested ? 32 : 0);
    s.set([p.lat, p.lon, p.alt, sat.energy_pct, flags, sat.queue_length ?? 0], i * 6);
    if (sat.giving_energy === 'active' && sat.beam_peer) {
      beams.push(satIndex(sat.satellite_id), satIndex(sat.beam_peer), NaN);
    }
  });
  const d = new Float32Array(drones.length * 6);
  drones.forEach((dr, j) => {
    const p = dr.position || {};
    const pct = dr.battery_capacity ? (100 * dr.battery) / dr.battery_capacity : NaN;
    d.set([p.lat, p.lon, p.alt, STATUS_CODE[dr.status] ?? -1,
      dr.target ? satIndex(dr.target.satellite_id) : -1, pct], j * 6);
  });
  return decodeFrame({
    n_satellites: n,
    n_drones: drones.length,
    n_beams: beams.length / 3,
    sun: snap.sun,
    sim_date: snap.sim_date,
    sats: s,
    drones: d,
    beams: Float32Array.from(beams),
  });
}
