// Drones (one Points call, a shape and colour per status), lines to their targets, and
// ground stations.

import { useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { DRONE_STATUSES } from '../lib/protocol.js';
import { DRONE_STATUS_COLORS, hexToRgb } from '../lib/colors.js';
import { latLonAltToVector3 } from '../lib/geo.js';
import { BEHIND_EARTH_GLSL, LINE_VERTEX, LINE_FRAGMENT } from '../lib/occlusion.js';

const STATUS_RGB = DRONE_STATUSES.map((s) => hexToRgb(DRONE_STATUS_COLORS[s]));
const FLYING = new Set([2, 3, 4]); // enroute, docking, returning
const GREY = [0.6, 0.6, 0.6];

const droneVertex = /* glsl */ `
  attribute vec3 color;
  attribute float aStatus;
  uniform float uSize;
  varying vec3 vColor;
  varying float vStatus;
  ${BEHIND_EARTH_GLSL}
  void main() {
    vColor = color;
    vStatus = aStatus;
    if (behindEarth(position)) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
    vec4 mv = modelViewMatrix * vec4(position, 1.0);
    gl_Position = projectionMatrix * mv;
    vStatus = aStatus;
    float flying = (aStatus > 1.5 && aStatus < 4.5) ? 1.6 : 1.0;
    gl_PointSize = uSize * flying * clamp(3.2 / -mv.z, 0.7, 2.0);
  }
`;

// charging/standby: square; enroute/returning: diamond; docking: diamond with a hole;
// out_of_service: an X.
const droneFragment = /* glsl */ `
  varying vec3 vColor;
  varying float vStatus;
  void main() {
    vec2 p = (gl_PointCoord - 0.5) * 2.0;
    float a = 0.0;
    if (vStatus < 1.5) {
      a = max(abs(p.x), abs(p.y)) < 0.6 ? 1.0 : 0.0;
    } else if (vStatus < 2.5 || (vStatus > 3.5 && vStatus < 4.5)) {
      a = abs(p.x) + abs(p.y) < 0.95 ? 1.0 : 0.0;
    } else if (vStatus < 3.5) {
      float m = abs(p.x) + abs(p.y);
      a = (m < 1.0 && m > 0.45) ? 1.0 : 0.0;
    } else {
      a = (abs(p.x - p.y) < 0.3 || abs(p.x + p.y) < 0.3) && max(abs(p.x), abs(p.y)) < 0.85 ? 1.0 : 0.0;
    }
    if (a < 0.5) discard;
    gl_FragColor = vec4(vColor, 1.0);
  }
`;

export default function Drones({ store }) {
  const cap = useRef(-1);
  const seen = useRef(-1);
  const points = useMemo(() => new THREE.BufferGeometry(), []);
  const lines = useMemo(() => new THREE.BufferGeometry(), []);
  const uniforms = useMemo(() => ({ uSize: { value: 9 } }), []);
  const lineMaterial = useMemo(() => new THREE.ShaderMaterial({
    uniforms: { uOpacity: { value: 0.6 } }, vertexShader: LINE_VERTEX, fragmentShader: LINE_FRAGMENT,
    transparent: true, depthWrite: false, depthTest: false,
  }), []);

  useFrame(() => {
    const nd = store.nDrones;
    if (nd !== cap.current) {
      cap.current = nd;
      points.setAttribute('position', new THREE.BufferAttribute(new Float32Array(nd * 3), 3).setUsage(THREE.DynamicDrawUsage));
      points.setAttribute('color', new THREE.BufferAttribute(new Float32Array(nd * 3), 3));
      points.setAttribute('aStatus', new THREE.BufferAttribute(new Float32Array(nd), 1));
      lines.setAttribute('position', new THREE.BufferAttribute(new Float32Array(nd * 6), 3).setUsage(THREE.DynamicDrawUsage));
      lines.setAttribute('color', new THREE.BufferAttribute(new Float32Array(nd * 6), 3));
      seen.current = -1;
    }
    if (!nd) return;
    const now = performance.now();
    const pos = points.getAttribute('position');
    for (let j = 0; j < nd; j++) store.dronePosition(j, now, pos.array, j * 3);
    pos.needsUpdate = true;
    if (seen.current !== store.version) {
      const col = points.getAttribute('color'), st = points.getAttribute('aStatus');
      for (let j = 0; j < nd; j++) {
        const code = store.dStatus[j];
        col.array.set(STATUS_RGB[code] || GREY, j * 3);
        st.array[j] = code;
      }
      col.needsUpdate = st.needsUpdate = true;
      seen.current = store.version;
    }
    // lines from flying drones to their target satellites
    const lpos = lines.getAttribute('position');
    const lcol = lines.getAttribute('color');
    let m = 0;
    for (let j = 0; j < nd; j++) {
      const t = store.dTarget[j];
      if (t < 0 || t >= store.n || !FLYING.has(store.dStatus[j]) || store.dStatus[j] === 4) continue;
      lpos.array[m * 6] = pos.array[j * 3];
      lpos.array[m * 6 + 1] = pos.array[j * 3 + 1];
      lpos.array[m * 6 + 2] = pos.array[j * 3 + 2];
      store.satPosition(t, now, lpos.array, m * 6 + 3);
      const rgb = STATUS_RGB[store.dStatus[j]] || GREY;
      lcol.array.set(rgb, m * 6);
      lcol.array.set([rgb[0] * 0.35, rgb[1] * 0.35, rgb[2] * 0.35], m * 6 + 3);
      m++;
    }
    lines.setDrawRange(0, m * 2);
    lpos.needsUpdate = lcol.needsUpdate = true;
  });

  return (
    <group>
      <lineSegments geometry={lines} material={lineMaterial} frustumCulled={false} renderOrder={3} />
      <points geometry={points} frustumCulled={false} renderOrder={4}>
        <shaderMaterial uniforms={uniforms} vertexShader={droneVertex} fragmentShader={droneFragment} />
      </points>
    </group>
  );
}

const stationVertex = /* glsl */ `
  ${BEHIND_EARTH_GLSL}
  void main() {
    if (behindEarth(position)) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
    vec4 mv = modelViewMatrix * vec4(position, 1.0);
    gl_Position = projectionMatrix * mv;
    gl_PointSize = 12.0 * clamp(3.2 / -mv.z, 0.7, 2.0);
  }
`;
// an upward triangle outline with a filled dot: reads as an antenna site
const stationFragment = /* glsl */ `
  void main() {
    vec2 p = gl_PointCoord - 0.5;
    p.y = -p.y;
    float inside = step(-0.42, p.y) * step(abs(p.x) * 1.6 + p.y, 0.42);
    float inner = step(-0.26, p.y) * step(abs(p.x) * 1.6 + p.y, 0.2);
    float dot_ = step(length(p - vec2(0.0, -0.08)), 0.08);
    float a = max(inside - inner, dot_);
    if (a < 0.5) discard;
    gl_FragColor = vec4(0.62, 1.0, 0.55, 1.0);
  }
`;

export function GroundStations({ stations }) {
  const geometry = useMemo(() => {
    const g = new THREE.BufferGeometry();
    const pos = new Float32Array(stations.length * 3);
    stations.forEach((s, i) => latLonAltToVector3(s.lat, s.lon, 8, pos, i * 3));
    g.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    return g;
  }, [stations]);
  if (!stations.length) return null;
  return (
    <points geometry={geometry} frustumCulled={false} renderOrder={1}>
      <shaderMaterial vertexShader={stationVertex} fragmentShader={stationFragment} />
    </points>
  );
}
