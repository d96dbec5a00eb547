// Active energy beams: one LineSegments geometry, endpoints follow the interpolated satellites.

import { useMemo, useRef } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { beamColor } from '../lib/colors.js';
import { LINE_VERTEX, LINE_FRAGMENT } from '../lib/occlusion.js';

export default function Beams({ store, maxRate = 4 }) {
  const cap = useRef(0);
  const geometry = useMemo(() => new THREE.BufferGeometry(), []);
  const material = useMemo(() => new THREE.ShaderMaterial({
    uniforms: { uOpacity: { value: 1 } }, vertexShader: LINE_VERTEX, fragmentShader: LINE_FRAGMENT,
    transparent: true, blending: THREE.AdditiveBlending, depthWrite: false, depthTest: false,
  }), []);
  const tmp = useMemo(() => [0, 0, 0], []);

  useFrame(({ clock }) => {
    const nb = store.nBeams;
    if (nb > cap.current) {
      cap.current = Math.max(64, nb * 2);
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(cap.current * 6), 3).setUsage(THREE.DynamicDrawUsage));
      geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(cap.current * 6), 3).setUsage(THREE.DynamicDrawUsage));
    }
    if (!cap.current) return;
    const pos = geometry.getAttribute('position');
    const col = geometry.getAttribute('color');
    const now = performance.now();
    const pulse = 0.75 + 0.25 * Math.sin(clock.elapsedTime * 6);
    let m = 0;
    for (let b = 0; b < nb; b++) {
      const i = store.beamFrom[b], j = store.beamTo[b];
      if (i < 0 || j < 0 || i >= store.n || j >= store.n) continue;
      store.satPosition(i, now, pos.array, m * 6);
      store.satPosition(j, now, pos.array, m * 6 + 3);
      beamColor(store.beamRate[b], maxRate, tmp);
      // giver end bright, receiver end cooler: reads as a direction
      col.array.set([tmp[0] * pulse, tmp[1] * pulse, tmp[2] * pulse], m * 6);
      col.array.set([0.2 * pulse, 0.85 * pulse, 1.0 * pulse], m * 6 + 3);
      m++;
    }
    geometry.setDrawRange(0, m * 2);
    pos.needsUpdate = true;
    col.needsUpdate = true;
  });

  return <lineSegments geometry={geometry} material={material} frustumCulled={false} renderOrder={3} />;
}
