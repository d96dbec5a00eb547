// Orbit controls, pointer picking (hover and click) and follow-the-selected-satellite camera.

import { useEffect, useMemo, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { interpolateAll, pickNearest, projectPoint } from '../lib/pick.js';
import { latLonAltToVector3, occludedByEarth, vector3ToLatLonAlt } from '../lib/geo.js';
import { centreShift, fitDistance, freeRect } from '../lib/viewport.js';

const VIEW_REPORT_MS = 600;
const LAYOUT_CHECK_MS = 400;

/** Rectangles of the panels that float over the globe (marked data-floating). */
function floatingRects() {
  return [...document.querySelectorAll('[data-floating]')].map((el) => el.getBoundingClientRect());
}

const CLICK_SLOP_PX = 5;
// A click hits a satellite anywhere along the path it was drawn on during this long before the
// click: people aim at where they saw the point, and a 300 ms lag used to miss.
const PICK_LOOKBACK_MS = 500;
const FLY_MS = 1200;

/** Camera position for a view {lat, lon, dist} (dist in Earth radii from the centre). */
export function viewToPosition(view) {
  return latLonAltToVector3(view.lat, view.lon, 0).map((c) => c * view.dist);
}

export default function CameraRig({ store, follow, autoRotate, initialView, flyTo, onHover, onSelect, onView }) {
  const { camera, gl, size } = useThree();
  const controls = useMemo(() => new OrbitControls(camera, gl.domElement), [camera, gl]);
  const pointer = useRef({ x: 0, y: 0, moved: false, inside: false, down: null, click: null });
  const hovered = useRef(-1);
  const scratch = useRef(new Float32Array(0));
  const scratchEarlier = useRef(new Float32Array(0));
  const flight = useRef(null);
  const viewProj = useMemo(() => new THREE.Matrix4(), []);
  const handlers = useRef({ onHover, onSelect });
  handlers.current = { onHover, onSelect, onView };
  const lastView = useRef({ at: 0, key: '' });
  const layout = useRef({ at: -Infinity, key: '', size: '', fitted: !!initialView });
  const tmp = useMemo(() => [0, 0, 0], []);
  const want = useMemo(() => new THREE.Vector3(), []);

  useEffect(() => {
    Object.assign(controls, {
      enableDamping: true, dampingFactor: 0.08, rotateSpeed: 0.45, zoomSpeed: 0.8,
      minDistance: 1.25, maxDistance: 14, enablePan: false, autoRotateSpeed: 0.35,
    });
    const el = gl.domElement;
    const pos = (e) => { const r = el.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    const move = (e) => { const [x, y] = pos(e); Object.assign(pointer.current, { x, y, moved: true, inside: true }); };
    const leave = () => { pointer.current.inside = false; pointer.current.moved = true; };
    const down = (e) => { pointer.current.down = pos(e); };
    const up = (e) => {
      const d = pointer.current.down;
      const [x, y] = pos(e);
      if (d && Math.hypot(x - d[0], y - d[1]) < CLICK_SLOP_PX) pointer.current.click = [x, y, e.timeStamp || performance.now()];
      pointer.current.down = null;
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerleave', leave);
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointerup', up);
    return () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerleave', leave);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointerup', up);
      controls.dispose();
    };
  }, [controls, gl]);

  useEffect(() => { controls.autoRotate = !!autoRotate; }, [autoRotate, controls]);

  // the view from a shared link
  useEffect(() => {
    if (initialView) camera.position.set(...viewToPosition(initialView));
  }, [camera]); // eslint-disable-line react-hooks/exhaustive-deps

  // Test and benchmark hook: where satellite i is drawn, in page pixels.
  useEffect(() => {
    const hook = (window.__vpp = window.__vpp || {});
    hook.screenOf = (i) => {
      if (i < 0 || i >= store.n) return null;
      store.satPosition(i, performance.now(), tmp);
      viewProj.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
      const out = [0, 0];
      const r = gl.domElement.getBoundingClientRect();
      if (!projectPoint(viewProj.elements, tmp[0], tmp[1], tmp[2], r.width, r.height, out)) return null;
      const cam = camera.position.toArray();
      return { x: out[0] + r.left, y: out[1] + r.top, visible: !occludedByEarth(cam, tmp[0], tmp[1], tmp[2]) };
    };
  }, [camera, gl, store, tmp, viewProj]);

  const pick = (x, y, at = null) => {
    if (!store.n) return -1;
    if (scratch.current.length < store.n * 3) scratch.current = new Float32Array(store.n * 3);
    const t = at ?? performance.now();
    interpolateAll(store, t, scratch.current);
    let earlier = null;
    if (at !== null) {
      if (scratchEarlier.current.length < store.n * 3) scratchEarlier.current = new Float32Array(store.n * 3);
      earlier = interpolateAll(store, t - PICK_LOOKBACK_MS, scratchEarlier.current, -PICK_LOOKBACK_MS / store.interval);
    }
    viewProj.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    return pickNearest(scratch.current, store.n, viewProj.elements, camera.position.toArray(),
      size.width, size.height, x, y, 9, earlier);
  };

  // fly the camera to a satellite: turn toward it over FLY_MS, keeping the distance
  useEffect(() => {
    if (flyTo && flyTo.index >= 0) flight.current = { index: flyTo.index, start: performance.now(), from: camera.position.clone() };
  }, [flyTo, camera]);

  useFrame(() => {
    const fl = flight.current;
    if (fl && fl.index < store.n) {
      const u = Math.min(1, (performance.now() - fl.start) / FLY_MS);
      const ease = u * u * (3 - 2 * u);
      store.satPosition(fl.index, performance.now(), tmp);
      const dist = Math.min(fl.from.length(), 4.2);
      want.set(tmp[0], tmp[1], tmp[2]).normalize().multiplyScalar(dist);
      camera.position.copy(fl.from).setLength(dist).lerp(want, ease).setLength(dist);
      if (u >= 1) flight.current = null;
    } else if (follow && store.selected >= 0 && store.selected < store.n) {
      store.satPosition(store.selected, performance.now(), tmp);
      const dist = camera.position.length();
      want.set(tmp[0], tmp[1], tmp[2]).normalize().multiplyScalar(dist);
      camera.position.lerp(want, 0.06);
      camera.position.setLength(dist);
    }
    const nowMs = performance.now();
    const L = layout.current;
    if (nowMs - L.at > LAYOUT_CHECK_MS) {
      // centre the globe in the space the panels leave; fit it there on first layout and resize
      L.at = nowMs;
      const W = size.width, H = size.height;
      const free = freeRect(floatingRects(), W, H);
      const sh = centreShift(free, W, H);
      const key = `${W}x${H}:${Math.round(sh.x)},${Math.round(sh.y)}`;
      if (key !== L.key) {
        L.key = key;
        camera.setViewOffset(W, H, -Math.round(sh.x), -Math.round(sh.y), W, H);
        camera.updateProjectionMatrix();
        const sizeKey = `${W}x${H}`;
        if (!L.fitted || (L.size && L.size !== sizeKey)) {
          const px = 0.47 * Math.min(free.right - free.left, free.bottom - free.top);
          camera.position.setLength(Math.min(controls.maxDistance, Math.max(1.6, fitDistance(px, H, camera.fov))));
        }
        L.fitted = true;
        L.size = sizeKey;
        const hook = (window.__vpp = window.__vpp || {});
        hook.viewCentre = { x: W / 2 + sh.x, y: H / 2 + sh.y, free };
      }
    }
    controls.update();
    if (handlers.current.onView && nowMs - lastView.current.at > VIEW_REPORT_MS) {
      const c = camera.position;
      const g = vector3ToLatLonAlt(c.x, c.y, c.z);
      const v = { lat: Number(g.lat.toFixed(1)), lon: Number(g.lon.toFixed(1)), dist: Number(c.length().toFixed(2)) };
      const key = `${v.lat},${v.lon},${v.dist}`;
      lastView.current.at = nowMs;
      if (key !== lastView.current.key) { lastView.current.key = key; handlers.current.onView(v); }
    }
    const p = pointer.current;
    if (p.click) {
      const i = pick(p.click[0], p.click[1], p.click[2]);
      p.click = null;
      if (i >= 0 && handlers.current.onSelect) handlers.current.onSelect(i);
    }
    if (p.moved && !p.down) {
      p.moved = false;
      const i = p.inside ? pick(p.x, p.y) : -1;
      if (i !== hovered.current) {
        hovered.current = i;
        store.hovered = i;
        store.hoverPoint = [p.x, p.y];
        gl.domElement.style.cursor = i >= 0 ? 'pointer' : '';
        if (handlers.current.onHover) handlers.current.onHover(i);
      }
    }
  });
  return null;
}
