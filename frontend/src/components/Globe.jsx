// The 3D view: Earth, satellites, beams, drones, ground stations, camera; labels above it.

import { Canvas, useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import Earth from './Earth.jsx';
import Stars from './Stars.jsx';
import Satellites from './Satellite.jsx';
import Beams from './Beams.jsx';
import Drones, { GroundStations } from './Drone.jsx';
import CameraRig from './CameraRig.jsx';
import Labels, { LabelProjector } from './Labels.jsx';

function FrameCounter() {
  // frames drawn, read by the frame-rate benchmark and the e2e test
  useFrame(({ scene, gl, camera }) => {
    const hook = (window.__vpp = window.__vpp || {});
    hook.frames = (hook.frames || 0) + 1;
    hook.scene = scene;
    hook.gl = gl;
    hook.camera = camera;
  });
  return null;
}

export default function Globe({
  store, registry, selected, hovered, follow, autoRotate, stations, flyingDrones, beamMaxRate,
  onHover, onSelect,
}) {
  return (
    <div className="globe" data-testid="globe">
      <Canvas
        camera={{ position: [2.9, 1.4, -1.6], fov: 42, near: 0.01, far: 200 }}
        dpr={Math.min(window.devicePixelRatio || 1, 2)}
        gl={{ antialias: false, alpha: false, powerPreference: 'high-performance', preserveDrawingBuffer: false }}
        onCreated={({ gl }) => { gl.setClearColor(new THREE.Color('#02050b'), 1); }}
      >
        <Stars />
        <Earth store={store} />
        <GroundStations stations={stations} />
        <Satellites store={store} selected={selected} hovered={hovered} />
        <Beams store={store} maxRate={beamMaxRate} />
        <Drones store={store} />
        <CameraRig store={store} follow={follow} autoRotate={autoRotate} onHover={onHover} onSelect={onSelect} />
        <LabelProjector store={store} registry={registry} />
        <FrameCounter />
      </Canvas>
      <Labels registry={registry} selected={selected} hovered={hovered} stations={stations} flyingDrones={flyingDrones} />
    </div>
  );
}
