// All satellites in one THREE.Points draw call.
//
// The geometry's attributes are the store's typed arrays themselves (prev/next positions,
// colours, flags); the vertex shader interpolates between the last two ticks with one uniform,
// so a frame costs one uniform write and the CPU only touches the arrays when a tick arrives.

import { useEffect, useMemo, useRef } from 'react';
import { useFrame, useThree } from '@react-three/fiber';
import * as THREE from 'three';
import { BEHIND_EARTH_GLSL } from '../lib/occlusion.js';

const vertex = /* glsl */ `
  attribute vec3 aNext;
  attribute vec3 color;
  attribute float aFlags;
  uniform float uAlpha;
  uniform float uSize;
  uniform float uScale;
  uniform float uSelected;
  uniform float uHovered;
  varying vec3 vColor;
  varying float vShape;   // 0 disc, 1 blackout ring, 2 selected, 3 eclipse
  ${BEHIND_EARTH_GLSL}
  void main() {
    vec3 p = mix(position, aNext, uAlpha);
    float r = mix(length(position), length(aNext), uAlpha);
    p = normalize(p) * r;
    if (behindEarth(p)) {               // culled: outside the clip volume, no fragments
      gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
      gl_PointSize = 0.0;
      vColor = vec3(0.0);
      vShape = 0.0;
      return;
    }
    vec4 mv = modelViewMatrix * vec4(p, 1.0);
    gl_Position = projectionMatrix * mv;
    float sunlit = mod(aFlags, 2.0);
    float blackout = mod(floor(aFlags / 2.0), 2.0);
    float size = uSize * clamp(uScale / -mv.z, 0.55, 2.2);
    vColor = color;
    vShape = 0.0;
    if (sunlit < 0.5) { vColor = color * 0.42 + vec3(0.02, 0.03, 0.08); vShape = 3.0; size *= 0.85; }
    if (blackout > 0.5) { vColor = vec3(1.0, 0.12, 0.45); vShape = 1.0; size = max(size * 1.9, 7.0); }
    float id = float(gl_VertexID);
    if (abs(id - uHovered) < 0.5) { size = max(size * 2.0, 10.0); }
    if (abs(id - uSelected) < 0.5) { vShape = 2.0; size = max(size * 2.6, 16.0); }
    gl_PointSize = size;
  }
`;

const fragment = /* glsl */ `
  varying vec3 vColor;
  varying float vShape;
  void main() {
    float d = length(gl_PointCoord - 0.5) * 2.0;
    if (d > 1.0) discard;
    vec3 c = vColor;
    // opaque with discard: no blending (read-modify-write) per fragment in software WebGL
    if (vShape > 0.5 && vShape < 1.5) {          // blackout: ring
      if (d < 0.5) discard;
    } else if (vShape > 1.5 && vShape < 2.5) {   // selected: white ring around the SoC colour
      if (d > 0.45 && d < 0.62) discard;
      c = d > 0.62 ? vec3(1.0) : vColor;
    } else if (vShape > 2.5) {                   // eclipse: dim disc, darker core
      c *= 0.75 + 0.25 * d;
    } else {
      c *= 1.15 - 0.3 * d;
    }
    gl_FragColor = vec4(c, 1.0);
  }
`;

/** Point size in CSS px at the default zoom: smaller when the sky is crowded. */
export function pointSizeFor(n) {
  if (n <= 500) return 5.5;
  if (n >= 20000) return 2.5;
  return Math.max(2.5, 5.5 - 1.3 * Math.log10(n / 500));
}

export default function Satellites({ store, selected = -1, hovered = -1 }) {
  const ref = useRef();
  const seen = useRef({ version: -1, layout: -1 });
  const { gl } = useThree();
  const uniforms = useMemo(() => ({
    uAlpha: { value: 1 },
    uSize: { value: 5 },
    uScale: { value: 3.2 },
    uSelected: { value: -1 },
    uHovered: { value: -1 },
  }), []); // eslint-disable-line react-hooks/exhaustive-deps
  const geometry = useMemo(() => new THREE.BufferGeometry(), []);

  useEffect(() => () => geometry.dispose(), [geometry]);
  useEffect(() => { uniforms.uSelected.value = selected; }, [selected, uniforms]);
  useEffect(() => { uniforms.uHovered.value = hovered; }, [hovered, uniforms]);

  useFrame(() => {
    const s = seen.current;
    if (s.layout !== store.layoutVersion || geometry.getAttribute('position')?.array !== store.prevPos) {
      // arrays were reallocated: point the attributes at the new ones
      geometry.setAttribute('position', new THREE.BufferAttribute(store.prevPos, 3).setUsage(THREE.DynamicDrawUsage));
      geometry.setAttribute('aNext', new THREE.BufferAttribute(store.nextPos, 3).setUsage(THREE.DynamicDrawUsage));
      geometry.setAttribute('color', new THREE.BufferAttribute(store.colors, 3).setUsage(THREE.DynamicDrawUsage));
      geometry.setAttribute('aFlags', new THREE.BufferAttribute(store.flags, 1).setUsage(THREE.DynamicDrawUsage));
      s.layout = store.layoutVersion;
      s.version = -1;
    }
    if (s.version !== store.version) {
      for (const name of ['position', 'aNext', 'color', 'aFlags']) geometry.getAttribute(name).needsUpdate = true;
      geometry.setDrawRange(0, store.n);
      uniforms.uSize.value = pointSizeFor(store.n) * gl.getPixelRatio();
      s.version = store.version;
    }
    uniforms.uAlpha.value = store.alpha(performance.now());
  });

  return (
    <points ref={ref} geometry={geometry} frustumCulled={false} renderOrder={2}>
      <shaderMaterial uniforms={uniforms} vertexShader={vertex} fragmentShader={fragment} />
    </points>
  );
}
