// Screen-space labels: the selected satellite, the hover tooltip, ground stations and flying
// drones. React renders the label nodes when the set changes; a useFrame projector moves them
// every frame by writing style.transform directly (no React state per frame).

import { useMemo } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import * as THREE from 'three';
import { latLonAltToVector3, occludedByEarth } from '../lib/geo.js';
import { projectPoint } from '../lib/pick.js';
import { socCss } from '../lib/colors.js';
import { DRONE_STATUSES, FLAG_BLACKOUT, FLAG_SUNLIT, FLAG_GIVING, FLAG_RECEIVING, batteryId, satId } from '../lib/protocol.js';

/** Shared between the DOM layer (outside the Canvas) and the projector (inside it). */
export function createLabelRegistry() {
  return { nodes: new Map(), version: 0, sorted: [], sortedVersion: -1 }; // key -> {el, kind, index, pos}
}

function satState(flags) {
  if (flags & FLAG_BLACKOUT) return 'BLACKOUT';
  const parts = [flags & FLAG_SUNLIT ? 'sunlit' : 'eclipse'];
  if (flags & FLAG_GIVING) parts.push('beaming');
  if (flags & FLAG_RECEIVING) parts.push('receiving');
  return parts.join(' · ');
}

/** Inside the Canvas: project every registered label each frame. */
export function LabelProjector({ store, registry }) {
  const { camera, size } = useThree();
  const vp = useMemo(() => new THREE.Matrix4(), []);
  const p = useMemo(() => [0, 0, 0], []);
  const s = useMemo(() => [0, 0], []);
  const tick = useMemo(() => ({ n: 0 }), []);

  useFrame(() => {
    vp.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    const cam = camera.position.toArray();
    const now = performance.now();
    const refreshText = (tick.n++ % 8) === 0;
    if (registry.version !== registry.sortedVersion) {
      // selected and hovered first, then stations, then drones: lower ones give way
      registry.sorted = [...registry.nodes.values()].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind]
        || (a.key === 'selected' ? -1 : b.key === 'selected' ? 1 : 0));
      registry.sortedVersion = registry.version;
    }
    const placed = [];
    for (const node of registry.sorted || []) {
      const { el } = node;
      if (!el) continue;
      let ok = true;
      if (node.kind === 'sat') {
        ok = node.index >= 0 && node.index < store.n;
        if (ok) store.satPosition(node.index, now, p);
      } else if (node.kind === 'drone') {
        ok = node.index >= 0 && node.index < store.nDrones;
        if (ok) store.dronePosition(node.index, now, p);
      } else {
        p[0] = node.pos[0]; p[1] = node.pos[1]; p[2] = node.pos[2];
      }
      ok = ok && projectPoint(vp.elements, p[0], p[1], p[2], size.width, size.height, s)
        && !occludedByEarth(cam, p[0], p[1], p[2]);
      if (!ok) {
        if (el.style.display !== 'none') el.style.display = 'none';
        continue;
      }
      if (node.kind !== 'sat') {
        // a station or drone label that would overlap one already placed is hidden this frame
        const w = node.w || (node.w = el.offsetWidth || 80);
        const box = [s[0], s[1] - 8, s[0] + w + 10, s[1] + 8];
        if (placed.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) {
          if (el.style.display !== 'none') el.style.display = 'none';
          continue;
        }
        placed.push(box);
      } else {
        placed.push([s[0], s[1] - 30, s[0] + 170, s[1] + 30]);
      }
      if (el.style.display === 'none') el.style.display = '';
      el.style.transform = `translate(${s[0].toFixed(1)}px, ${s[1].toFixed(1)}px)`;
      if (refreshText && node.kind === 'sat' && node.detail) {
        const i = node.index;
        const e = store.energy[i];
        const txt = `${e.toFixed(1)}% · ${satState(store.flags[i])} · queue ${store.queue[i]}`;
        if (node.detail.textContent !== txt) node.detail.textContent = txt;
        node.swatch.style.background = socCss(e);
      }
    }
  });
  return null;
}

const PRIORITY = { sat: 0, station: 1, drone: 2 };

function register(registry, key, info) {
  return (el) => {
    if (el) registry.nodes.set(key, { ...info, key, el, detail: el.querySelector('.lbl-detail'), swatch: el.querySelector('.lbl-swatch') });
    else registry.nodes.delete(key);
    registry.version = (registry.version || 0) + 1;
  };
}

/** Outside the Canvas: the label DOM nodes. */
export default function Labels({ registry, selected, hovered, stations, flyingDrones, onStation, onDrone }) {
  return (
    <div className="labels" aria-hidden="true">
      {stations.map((st) => (
        <div key={`gs-${st.station_id}`} className="lbl lbl-station"
          ref={register(registry, `gs-${st.station_id}`, { kind: 'station', pos: latLonAltToVector3(st.lat, st.lon, 8) })}>
          <button type="button" className="lbl-click" data-testid="station-label" onClick={() => onStation?.(st)}><span>{st.name || st.station_id}</span></button>
        </div>
      ))}
      {flyingDrones.map(({ index, status }) => (
        <div key={`drone-${index}`} className="lbl lbl-drone"
          ref={register(registry, `drone-${index}`, { kind: 'drone', index })}>
          <button type="button" className="lbl-click" data-testid="drone-label" onClick={() => onDrone?.(batteryId(index))}><span>{batteryId(index)} · {DRONE_STATUSES[status] || '?'}</span></button>
        </div>
      ))}
      {hovered >= 0 && hovered !== selected && (
        <div key={`hover-${hovered}`} className="lbl lbl-tooltip" data-testid="sat-tooltip"
          ref={register(registry, 'hover', { kind: 'sat', index: hovered })}>
          <div className="lbl-title"><i className="lbl-swatch" />{satId(hovered)}</div>
          <div className="lbl-detail" />
        </div>
      )}
      {selected >= 0 && (
        <div key={`sel-${selected}`} className="lbl lbl-selected" data-testid="sat-label"
          ref={register(registry, 'selected', { kind: 'sat', index: selected })}>
          <div className="lbl-title"><i className="lbl-swatch" />{satId(selected)}</div>
          <div className="lbl-detail" />
        </div>
      )}
    </div>
  );
}
