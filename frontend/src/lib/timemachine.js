// The time machine's pure parts: past frames from GET /api/runs/<id>/snapshot, event markers
// bucketed along the run, and playback pacing. See docs/globe.md, "Time machine".

import { decodeFrame } from './frame.js';

export const SPEEDS = [1, 10, 100, 1000]; // simulated seconds per wall second
export const MARKER_KINDS = ['alert', 'blackout', 'beam', 'drone'];

/** Float32Array of base64 little-endian float32 (the snapshot route's encoding). */
export function base64ToFloat32(text) {
  if (!text) return new Float32Array(0);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Decoded globe frame (frame.js shape) of a snapshot route answer. */
export function pastFrame(body) {
  const f = body.frame;
  return decodeFrame({ ...f, sats: base64ToFloat32(f.sats), drones: base64ToFloat32(f.drones),
    beams: base64ToFloat32(f.beams) });
}

/** Marker kind of a recorded event name, or null (task events are not marked). */
export function markerKind(name) {
  if (name.startsWith('alert.')) return 'alert';
  if (name === 'sat.energy_transfer_started') return 'beam';
  if (name === 'drone.launched') return 'drone';
  return null;
}

/**
 * Count events per marker kind in `buckets` equal spans of [0, endS] simulated seconds.
 * events: [{event, sim_s}] (GET /api/runs/current/events rows); blackout: optional
 * {sim_s: [], blackout: []} KPI columns, a bucket is marked where a satellite was in blackout.
 * Returns {alert: Int32Array, blackout, beam, drone}.
 */
export function bucketMarkers(events, endS, buckets, blackout = null) {
  const out = Object.fromEntries(MARKER_KINDS.map((k) => [k, new Int32Array(buckets)]));
  const at = (s) => Math.min(buckets - 1, Math.max(0, Math.floor((s / Math.max(endS, 1e-9)) * buckets)));
  for (const e of events || []) {
    const kind = markerKind(e.event || e.kind || '');
    if (kind && Number.isFinite(e.sim_s)) out[kind][at(e.sim_s)]++;
  }
  if (blackout && Array.isArray(blackout.sim_s)) {
    blackout.sim_s.forEach((s, k) => { if (blackout.blackout[k] > 0) out.blackout[at(s)]++; });
  }
  return out;
}

/**
 * Playback: the next simulated time after `wallMs` of wall time at `speed`, clamped to endS.
 * Returns {at, ended}.
 */
export function advance(at, speed, wallMs, endS) {
  const next = at + (speed * wallMs) / 1000;
  return next >= endS ? { at: endS, ended: true } : { at: next, ended: false };
}

/** Achieved playback speed: simulated seconds shown per wall second over the recent frames
 * `shown` ([{at, wall}] oldest first, wall in ms); NaN until two frames are shown. */
export function achievedSpeed(shown) {
  if (!shown || shown.length < 2) return NaN;
  const a = shown[0], b = shown[shown.length - 1];
  return b.wall > a.wall ? ((b.at - a.at) * 1000) / (b.wall - a.wall) : NaN;
}
