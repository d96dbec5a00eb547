// Inside the Canvas: the selected satellite's orbit path (one period behind and ahead, from
// GET /api/satellites/<id>/orbit), its ground track and footprint (horizon circle at the
// delegator's min elevation); the selected station's visibility cone. Geometry is rebuilt from
// the store in useFrame every few frames (no React state per frame).

import { useEffect, useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { footprint, trackPoints, visibilityCone } from '../lib/orbitGeom.js';
import { satId } from '../lib/protocol.js';

const REFETCH_SIM_S = 60; // the Earth turns 0.25 deg a minute under the Earth-fixed path

function lineObject(name, color, opacity, segments = false) {
  const g = new THREE.BufferGeometry();
  g.setAttribute('position', new THREE.BufferAttribute(new Float32Array(6), 3));
  const m = new THREE.LineBasicMaterial({ color, transparent: true, opacity, depthWrite: false });
  const obj = segments ? new THREE.LineSegments(g, m) : new THREE.Line(g, m);
  obj.frustumCulled = false;
  obj.userData.overlay = name; // found by the e2e test
  obj.visible = false;
  return obj;
}

function setPoints(obj, points) {
  obj.geometry.setAttribute('position', new THREE.BufferAttribute(points, 3));
  obj.geometry.computeBoundingSphere();
  obj.visible = points.length >= 6;
}

export default function SelectionOverlay({ store, api, selected, station, minElevationDeg = 0 }) {
  const objs = useMemo(() => ({
    orbit: lineObject('orbit', '#7fd8ff', 0.8), track: lineObject('track', '#7fd8ff', 0.35),
    foot: lineObject('footprint', '#ffe66d', 0.8), ring: lineObject('cone-ring', '#b6ffab', 0.7),
    spokes: lineObject('cone-spokes', '#b6ffab', 0.35, true),
  }), []);
  const fetched = useRef({ id: null, simS: -Infinity, busy: false });
  const frame = useRef(0);

  useEffect(() => {
    fetched.current = { id: null, simS: -Infinity, busy: false };
    if (selected < 0) { objs.orbit.visible = false; objs.track.visible = false; objs.foot.visible = false; }
  }, [selected, objs]);
  useEffect(() => { if (!station) { objs.ring.visible = false; objs.spokes.visible = false; } }, [station, objs]);

  useEffect(() => {
    if (selected < 0) return undefined;
    const id = satId(selected);
    const check = async () => {
      const f = fetched.current;
      if (f.busy || (f.id === id && Math.abs(store.simTime - f.simS) < REFETCH_SIM_S)) return;
      f.busy = true;
      const r = await api.get(`/api/satellites/${id}/orbit`);
      f.busy = false;
      if (!r.ok || satId(selected) !== id) return;
      fetched.current = { id, simS: store.simTime, busy: false };
      setPoints(objs.orbit, trackPoints(r.body));
      setPoints(objs.track, trackPoints(r.body, 5));
      const hook = (window.__vpp = window.__vpp || {});
      hook.orbitPoints = r.body.lat.length;
    };
    check();
    const timer = setInterval(check, 1000);
    return () => clearInterval(timer);
  }, [api, store, selected, objs]);

  useFrame(() => {
    if ((frame.current++ % 6) !== 0) return;
    if (selected >= 0 && selected < store.n) setPoints(objs.foot, footprint(store.lat[selected], store.lon[selected], store.alt[selected], minElevationDeg, 96));
    if (station) {
      const alt = selected >= 0 && selected < store.n ? store.alt[selected] : (store.n > 0 ? store.alt[0] : 550);
      const cone = visibilityCone(station.lat, station.lon, alt, minElevationDeg, 96, 16);
      setPoints(objs.ring, cone.ring);
      setPoints(objs.spokes, cone.spokes);
    }
  });

  return (
    <group>
      {Object.entries(objs).map(([k, o]) => <primitive key={k} object={o} />)}
    </group>
  );
}
