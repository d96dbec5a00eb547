// The Earth layer: offline land/border texture, day/night shading from the simulated sun,
// atmosphere and stars, drawn by its own WebGLRenderer into a canvas *behind* the live canvas.
//
// The Earth is the most expensive thing to rasterise in software WebGL (a quarter of the
// screen, every pixel shaded), yet it only changes when the camera moves or the sun has moved
// visibly. So it is redrawn only then; satellites, beams and drones are drawn every frame on a
// transparent canvas above it, hidden behind the Earth analytically (see occlusion.glsl.js).

import { useEffect, useMemo, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import * as THREE from 'three';
import { drawEarthCanvas } from '../lib/earthTexture.js';
import { sunDirection, earthImageShiftPx } from '../lib/geo.js';
import { makeStars } from './Stars.jsx';

const earthVertex = /* glsl */ `
  varying vec2 vUv;
  varying vec3 vPos;
  void main() {
    vUv = uv;
    vPos = position;
    gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  }
`;

const earthFragment = /* glsl */ `
  uniform sampler2D map;
  uniform float hasMap;
  uniform vec3 sunDir;
  varying vec2 vUv;
  varying vec3 vPos;
  void main() {
    vec2 m = hasMap > 0.5 ? texture2D(map, vUv).rg : vec2(0.0);
    vec3 ocean = mix(vec3(0.020, 0.055, 0.100), vec3(0.035, 0.095, 0.160), 1.0 - abs(vUv.y - 0.5) * 2.0);
    vec3 base = mix(ocean, vec3(0.105, 0.190, 0.255), m.r) + vec3(0.22, 0.42, 0.56) * m.g;
    float d = dot(normalize(vPos), sunDir);
    float day = smoothstep(-0.10, 0.10, d);
    vec3 col = base * mix(0.55, 1.15 + 0.65 * max(d, 0.0), day);
    // a warm band along the terminator
    col += vec3(1.0, 0.45, 0.15) * 0.10 * (1.0 - smoothstep(0.0, 0.07, abs(d)));
    gl_FragColor = vec4(col, 1.0);
  }
`;

// The atmosphere is a flat ring around the limb that always faces the camera: only the
// ring's pixels are shaded (a back-side sphere shades the whole disc again).
const atmosphereVertex = /* glsl */ `
  varying vec3 vWorld;
  varying float vR;
  void main() {
    vR = length(position.xy);
    vec4 w = modelMatrix * vec4(position, 1.0);
    vWorld = normalize(w.xyz);
    gl_Position = projectionMatrix * viewMatrix * w;
  }
`;

const atmosphereFragment = /* glsl */ `
  uniform vec3 sunDir;
  uniform float uInner;
  varying vec3 vWorld;
  varying float vR;
  void main() {
    float t = clamp((vR - uInner) / (1.0 - uInner), 0.0, 1.0);
    float glow = pow(1.0 - t, 2.2) * smoothstep(0.0, 0.04, t + 0.04);
    float lit = 0.3 + 0.7 * smoothstep(-0.35, 0.45, dot(vWorld, sunDir));
    gl_FragColor = vec4(vec3(0.28, 0.62, 1.0) * lit, glow * 0.85);
  }
`;

const RING_OUTER = 1.1;
const SUN_REDRAW_RAD = 0.002; // redraw when the sun moved this much (about 0.1 degree)
// While the camera moves, the Earth is redrawn once its last image would be this far off
// (the live layer, drawn every frame, hides satellites with the exact current camera); a slow
// auto-rotation then redraws it a few times less often than every frame. At rest it is redrawn
// exactly once the camera has been still for SETTLE_MS.
const MAX_SHIFT_PX = 0.5;
// While the camera moves the Earth is drawn at this fraction of the resolution (a quarter of the
// pixels to shade in software WebGL, the dearest part of a rotating frame); once it rests it is
// drawn again at full resolution. The moving image is softer, never misplaced.
const MOVING_SCALE = 0.5;
const SETTLE_MS = 150;

/** Orient the ring toward the camera and size it to the Earth's silhouette from there. */
function placeRing(ring, camera) {
  const d = camera.position.length();
  // silhouette circle: radius sqrt(d^2-1)/d at distance 1/d from the centre toward the camera
  const rs = Math.sqrt(Math.max(d * d - 1, 1e-6)) / d;
  ring.position.copy(camera.position).setLength(1 / d);
  ring.quaternion.copy(camera.quaternion);
  ring.scale.setScalar(rs * RING_OUTER);
}

function buildScene(uniforms) {
  const scene = new THREE.Scene();
  scene.add(makeStars());
  const earth = new THREE.Mesh(
    // 64 x 32: in software WebGL the triangle count costs more than the pixels (128 x 64 ran
    // at 25 fps while rotating, 64 x 32 at 41); the silhouette stays within a third of a pixel
    new THREE.SphereGeometry(1, 64, 32),
    new THREE.ShaderMaterial({ uniforms, vertexShader: earthVertex, fragmentShader: earthFragment }),
  );
  scene.add(earth);
  const ring = new THREE.Mesh(
    new THREE.RingGeometry(0.97 / RING_OUTER, 1, 128, 1),
    new THREE.ShaderMaterial({
      uniforms: { sunDir: uniforms.sunDir, uInner: { value: 0.985 / RING_OUTER } },
      vertexShader: atmosphereVertex,
      fragmentShader: atmosphereFragment,
      blending: THREE.AdditiveBlending,
      transparent: true,
      depthWrite: false,
    }),
  );
  scene.add(ring);
  return { scene, earth, ring };
}

/**
 * Inside the live Canvas: keeps the Earth canvas (`canvasRef`, behind it) in step with the
 * camera, the viewport and the sun. Mount it after the camera controls so it sees this
 * frame's camera.
 */
export default function EarthLayer({ store, canvasRef }) {
  const { camera, size } = useThree();
  const uniforms = useMemo(() => ({
    map: { value: null },
    hasMap: { value: 0 },
    sunDir: { value: new THREE.Vector3(1, 0, 0) },
  }), []);
  const layer = useRef(null);
  const last = useRef({
    cam: new THREE.Matrix4(), proj: new THREE.Matrix4(), prevFrame: new THREE.Matrix4(),
    camPos: [0, 0, 0], moved: 0, w: 0, h: 0, dirty: true,
  });

  useEffect(() => {
    const renderer = new THREE.WebGLRenderer({ canvas: canvasRef.current, antialias: false, alpha: false,
      powerPreference: 'high-performance' });
    renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    renderer.setClearColor(new THREE.Color('#02050b'), 1);
    const built = buildScene(uniforms);
    layer.current = { renderer, ...built };
    const hook = (window.__vpp = window.__vpp || {});
    hook.earthGl = renderer;
    hook.earthScene = built.scene;
    let texture = null;
    let cancelled = false;
    // 50 m Natural Earth: crisp coastlines on a 4096 px texture, ~750 KB bundled JSON.
    import('world-atlas/countries-50m.json').then((mod) => {
      if (cancelled) return;
      const canvas = drawEarthCanvas(mod.default || mod, 4096);
      texture = new THREE.CanvasTexture(canvas);
      texture.format = THREE.RGFormat;
      texture.minFilter = THREE.LinearMipmapNearestFilter;
      uniforms.map.value = texture;
      uniforms.hasMap.value = 1;
      last.current.dirty = true;
    });
    return () => {
      cancelled = true;
      if (texture) texture.dispose();
      built.scene.traverse((o) => { if (o.geometry) o.geometry.dispose(); if (o.material) o.material.dispose(); });
      renderer.dispose();
      layer.current = null;
    };
  }, [canvasRef, uniforms]);

  useFrame(() => {
    const L = layer.current;
    if (!L) return;
    const s = last.current;
    const sun = uniforms.sunDir.value;
    if (store.sun) {
      const v = sunDirection(store.sun);
      const dot = sun.x * v[0] + sun.y * v[1] + sun.z * v[2];
      if (Math.acos(Math.min(1, dot)) > SUN_REDRAW_RAD || !s.sunSet) {
        sun.set(v[0], v[1], v[2]).normalize();
        s.sunSet = true;
        s.dirty = true;
      }
    }
    camera.updateMatrixWorld();
    const now = performance.now();
    if (!s.prevFrame.equals(camera.matrixWorld)) { s.prevFrame.copy(camera.matrixWorld); s.moved = now; }
    if (!s.proj.equals(camera.projectionMatrix)) {
      s.proj.copy(camera.projectionMatrix);
      s.dirty = true;
    }
    if (!s.cam.equals(camera.matrixWorld)) {
      const p = camera.position;
      const shift = earthImageShiftPx(s.camPos, [p.x, p.y, p.z], camera.fov, size.height);
      if (shift > MAX_SHIFT_PX || now - s.moved > SETTLE_MS) s.dirty = true;
    }
    const scale = now - s.moved < SETTLE_MS ? MOVING_SCALE : 1;
    if (s.w !== size.width || s.h !== size.height || s.scale !== scale) {
      L.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2) * scale);
      L.renderer.setSize(size.width, size.height, false);
      s.w = size.width; s.h = size.height; s.scale = scale;
      s.dirty = true;
    }
    if (!s.dirty) return;
    placeRing(L.ring, camera);
    L.renderer.render(L.scene, camera);
    s.cam.copy(camera.matrixWorld);
    s.camPos = camera.position.toArray();
    s.dirty = false;
    const hook = window.__vpp;
    if (hook) hook.earthFrames = (hook.earthFrames || 0) + 1;
  });
  return null;
}
