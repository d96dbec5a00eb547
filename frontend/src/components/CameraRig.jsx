// Orbit controls, pointer picking (hover and click) and follow-the-selected-satellite camera.

import { useEffect, useMemo, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { interpolateAll, pickNearest, projectPoint } from '../lib/pick.js';
import { occludedByEarth } from '../lib/geo.js';

const CLICK_SLOP_PX = 5;

export default function CameraRig({ store, follow, autoRotate, onHover, onSelect }) {
  const { camera, gl, size } = useThree();
  const controls = useMemo(() => new OrbitControls(camera, gl.domElement), [camera, gl]);
  const pointer = useRef({ x: 0, y: 0, moved: false, inside: false, down: null, click: null });
  const hovered = useRef(-1);
  const scratch = useRef(new Float32Array(0));
  const viewProj = useMemo(() => new THREE.Matrix4(), []);
  const handlers = useRef({ onHover, onSelect });
  handlers.current = { onHover, onSelect };
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
      if (d && Math.hypot(x - d[0], y - d[1]) < CLICK_SLOP_PX) pointer.current.click = [x, y];
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

  const pick = (x, y) => {
    if (!store.n) return -1;
    if (scratch.current.length < store.n * 3) scratch.current = new Float32Array(store.n * 3);
    interpolateAll(store, performance.now(), scratch.current);
    viewProj.multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
    return pickNearest(scratch.current, store.n, viewProj.elements, camera.position.toArray(),
      size.width, size.height, x, y, 9);
  };

  useFrame(() => {
    if (follow && store.selected >= 0 && store.selected < store.n) {
      store.satPosition(store.selected, performance.now(), tmp);
      const dist = camera.position.length();
      want.set(tmp[0], tmp[1], tmp[2]).normalize().multiplyScalar(dist);
      camera.position.lerp(want, 0.06);
      camera.position.setLength(dist);
    }
    controls.update();
    const p = pointer.current;
    if (p.click) {
      const i = pick(p.click[0], p.click[1]);
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
