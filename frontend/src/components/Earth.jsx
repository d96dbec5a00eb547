// The Earth: offline land/border texture, day/night shading from the simulated sun, atmosphere.

import { useEffect, useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { drawEarthCanvas } from '../lib/earthTexture.js';
import { sunDirection } from '../lib/geo.js';

const earthVertex = /* glsl */ `
  varying vec2 vUv;
  varying vec3 vNormal;
  varying vec3 vView;
  void main() {
    vUv = uv;
    vNormal = normalize(position);
    vec4 mv = modelViewMatrix * vec4(position, 1.0);
    vView = normalize(-mv.xyz);
    gl_Position = projectionMatrix * mv;
  }
`;

const earthFragment = /* glsl */ `
  uniform sampler2D map;
  uniform vec3 sunDir;
  uniform float hasMap;
  varying vec2 vUv;
  varying vec3 vNormal;
  varying vec3 vView;
  void main() {
    vec2 m = hasMap > 0.5 ? texture2D(map, vUv).rg : vec2(0.0);
    vec3 ocean = mix(vec3(0.020, 0.055, 0.100), vec3(0.035, 0.095, 0.160), 1.0 - abs(vUv.y - 0.5) * 2.0);
    vec3 base = mix(ocean, vec3(0.105, 0.190, 0.255), m.r) + vec3(0.22, 0.42, 0.56) * m.g;
    float d = dot(normalize(vNormal), sunDir);
    float day = smoothstep(-0.10, 0.10, d);
    vec3 lit = base * (1.15 + 0.65 * max(d, 0.0));
    vec3 night = base * 0.42 + vec3(0.0, 0.003, 0.012);
    vec3 col = mix(night, lit, day);
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

/** Orient the ring toward the camera and size it to the Earth's silhouette from there. */
function AtmosphereRing({ uniforms }) {
  const ref = useRef();
  useFrame(({ camera }) => {
    const ring = ref.current;
    if (!ring) return;
    const d = camera.position.length();
    // silhouette circle: radius sqrt(d^2-1)/d at distance 1/d from the centre toward the camera
    const rs = Math.sqrt(Math.max(d * d - 1, 1e-6)) / d;
    ring.position.copy(camera.position).setLength(1 / d);
    ring.quaternion.copy(camera.quaternion);
    ring.scale.setScalar(rs * RING_OUTER);
    uniforms.uInner.value = 0.985 / RING_OUTER;
  });
  return (
    <mesh ref={ref} renderOrder={1}>
      <ringGeometry args={[0.97 / RING_OUTER, 1, 128, 1]} />
      <shaderMaterial uniforms={uniforms} vertexShader={atmosphereVertex} fragmentShader={atmosphereFragment}
        blending={THREE.AdditiveBlending} transparent depthWrite={false} />
    </mesh>
  );
}

export default function Earth({ store }) {
  const uniforms = useMemo(() => ({
    map: { value: null },
    hasMap: { value: 0 },
    sunDir: { value: new THREE.Vector3(1, 0, 0) },
  }), []);
  const atmoUniforms = useMemo(() => ({ sunDir: uniforms.sunDir, uInner: { value: 0.9 } }), [uniforms]);
  const lastSun = useRef(null);

  useEffect(() => {
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
    });
    return () => { cancelled = true; if (texture) texture.dispose(); };
  }, [uniforms]);

  useFrame(() => {
    if (store.sun !== lastSun.current) {
      lastSun.current = store.sun;
      uniforms.sunDir.value.set(...sunDirection(store.sun)).normalize();
    }
  });

  return (
    <group>
      <mesh renderOrder={0}>
        <sphereGeometry args={[1, 128, 64]} />
        <shaderMaterial uniforms={uniforms} vertexShader={earthVertex} fragmentShader={earthFragment} />
      </mesh>
      <AtmosphereRing uniforms={atmoUniforms} />
    </group>
  );
}
