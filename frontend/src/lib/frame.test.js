import { describe, it, expect } from 'vitest';
import { decodeFrame, findFrame, toFloat32, frameFromSnapshot, FrameError } from './frame.js';

/** Little-endian bytes of float32 values, as the server's arr.astype('<f4').tobytes(). */
function leBytes(values) {
  const dv = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return dv.buffer;
}

const header = (extra = {}) => ({
  n_satellites: 2,
  n_drones: 1,
  n_beams: 1,
  sun: { lat: -23.4, lon: 12.0 },
  sim_date: '2025-06-21T12:00:00Z',
  sat_fields: ['lat', 'lon', 'alt_km', 'energy_pct', 'flags', 'queue'],
  drone_fields: ['lat', 'lon', 'alt_km', 'status', 'target', 'battery_pct'],
  sats: leBytes([10, 20, 550, 80, 1, 2, -10, -20, 560, 5, 2, 0]),
  drones: leBytes([51.5, -0.1, 0, 2, 1, 90]),
  beams: leBytes([0, 1, 4]),
  ...extra,
});

describe('toFloat32', () => {
  it('reads an ArrayBuffer as little-endian float32', () => {
    expect(Array.from(toFloat32(leBytes([1.5, -2])))).toEqual([1.5, -2]);
  });
  it('reads a Uint8Array view at an unaligned offset', () => {
    const src = new Uint8Array(leBytes([3.25, 7]));
    const padded = new Uint8Array(src.length + 1);
    padded.set(src, 1);
    expect(Array.from(toFloat32(padded.subarray(1)))).toEqual([3.25, 7]);
  });
  it('rejects a length that is not a multiple of 4', () => {
    expect(() => toFloat32(new ArrayBuffer(6))).toThrow(FrameError);
  });
  it('passes null through', () => expect(toFloat32(null)).toBe(null));
});

describe('decodeFrame', () => {
  it('decodes counts, fields and arrays', () => {
    const f = decodeFrame(header());
    expect(f.n).toBe(2);
    expect(f.nDrones).toBe(1);
    expect(f.nBeams).toBe(1);
    expect(f.sat.stride).toBe(6);
    expect(f.sat.idx.energy_pct).toBe(3);
    expect(f.sats[f.sat.stride + f.sat.idx.lat]).toBeCloseTo(-10);
    expect(f.drones[f.drone.idx.status]).toBe(2);
    expect(Array.from(f.beams)).toEqual([0, 1, 4]);
    expect(f.sun).toEqual({ lat: -23.4, lon: 12.0 });
  });
  it('follows a reordered field list', () => {
    const f = decodeFrame(header({
      sat_fields: ['energy_pct', 'lat', 'lon', 'alt_km', 'flags', 'queue'],
      sats: leBytes([80, 10, 20, 550, 1, 2, 5, -10, -20, 560, 2, 0]),
    }));
    expect(f.sat.idx.energy_pct).toBe(0);
    expect(f.sats[f.sat.stride + f.sat.idx.energy_pct]).toBe(5);
  });
  it('accepts zero satellites with empty arrays', () => {
    const f = decodeFrame({ n_satellites: 0, n_drones: 0, n_beams: 0, sats: new ArrayBuffer(0) });
    expect(f.n).toBe(0);
    expect(f.beams.length).toBe(0);
  });
  it('rejects arrays shorter than the header says', () => {
    expect(() => decodeFrame(header({ n_satellites: 3 }))).toThrow(/sats: 12 floats for 3 x 6/);
    expect(() => decodeFrame(header({ n_beams: 2 }))).toThrow(FrameError);
  });
});

describe('findFrame', () => {
  const frame = header();
  it('finds msg.frame', () => expect(findFrame({ tick: 1, frame })).toBe(frame));
  it('finds a frame spread into the tick message', () => {
    const msg = { tick: 1, ...frame };
    expect(findFrame(msg)).toBe(msg);
  });
  it('finds a frame passed as a second argument', () => expect(findFrame({ tick: 1 }, [frame])).toBe(frame));
  it('returns null when there is none', () => expect(findFrame({ tick: 1 })).toBe(null));
});

describe('frameFromSnapshot', () => {
  it('builds satellites, drones and beams from JSON', () => {
    const f = frameFromSnapshot({
      sun: { lat: 0, lon: 0 },
      satellites: [
        { satellite_id: 'sat-001', position: { lat: 1, lon: 2, alt: 550 }, energy_pct: 90, sunlit: true,
          blackout: false, giving_energy: 'active', beam_peer: 'sat-002', queue_length: 3 },
        { satellite_id: 'sat-002', position: { lat: 3, lon: 4, alt: 550 }, energy_pct: 10, sunlit: false,
          blackout: true, giving_energy: 'idle', receiving_from: 'sat-001', queue_length: 0 },
      ],
      drones: [{ battery_id: 'bat-001', position: { lat: 5, lon: 6, alt: 0 }, status: 'enroute',
        target: { satellite_id: 'sat-002' }, battery: 150, battery_capacity: 300 }],
    });
    expect(f.n).toBe(2);
    expect(f.sats[4]).toBe(1 | 4);
    expect(f.sats[6 + 4]).toBe(2 | 8);
    expect(Array.from(f.beams.slice(0, 2))).toEqual([0, 1]);
    expect(Array.from(f.drones)).toEqual([5, 6, 0, 2, 1, 50]);
  });
  it('returns null without satellites', () => expect(frameFromSnapshot({ satellites: [] })).toBe(null));
});

describe('frameFromSnapshot with a paged state', () => {
  it('returns null when the state lists only some of the satellites', () => {
    const sat = { satellite_id: 'sat-001', position: { lat: 1, lon: 2, alt: 550 }, energy_pct: 50 };
    expect(frameFromSnapshot({ n_satellites: 3, satellites: [sat], drones: [] })).toBeNull();
    expect(frameFromSnapshot({ n_satellites: 1, satellites: [sat], drones: [] })).not.toBeNull();
  });
});
