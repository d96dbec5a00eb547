// The 3D view: Earth, satellites, beams, drones, ground stations, camera; labels above it.

import { Canvas, useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { useRef } from 'react';
import EarthLayer from './Earth.jsx';
import Satellites from './Satellite.jsx';
import Beams from './Beams.jsx';
import Drones, { GroundStations } from './Drone.jsx';
import CameraRig from './CameraRig.jsx';
import Labels, { LabelProjector } from './Labels.jsx';
import SelectionOverlay from './SelectionOverlay.jsx';

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
  initialView, flyTo, onHover, onSelect, onView, api, station, minElevationDeg, onStation, onDrone,
}) {
  const earthCanvas = useRef(null);
  return (
    <div className="globe" data-testid="globe">
      <canvas ref={earthCanvas} className="earth-canvas" data-testid="earth-canvas" />
      <Canvas
        style={{ position: 'absolute', inset: 0 }}
        camera={{ position: [2.9, 1.4, -1.6], fov: 42, near: 0.01, far: 200 }}
        dpr={Math.min(window.devicePixelRatio || 1, 2)}
        gl={{ antialias: false, alpha: true, powerPreference: 'high-performance', preserveDrawingBuffer: false }}
        onCreated={({ gl }) => { gl.setClearColor(new THREE.Color('#000000'), 0); }}
      >
        <GroundStations stations={stations} />
        <Satellites store={store} selected={selected} hovered={hovered} />
        <Beams store={store} maxRate={beamMaxRate} />
        <Drones store={store} />
        {api && <SelectionOverlay store={store} api={api} selected={selected} station={station} minElevationDeg={minElevationDeg} />}
        <CameraRig store={store} follow={follow} autoRotate={autoRotate} initialView={initialView} flyTo={flyTo}
          onHover={onHover} onSelect={onSelect} onView={onView} />
        {/* after the camera rig: it draws the Earth canvas with this frame's camera */}
        <EarthLayer store={store} canvasRef={earthCanvas} />
        <LabelProjector store={store} registry={registry} />
        <FrameCounter />
      </Canvas>
      <Labels registry={registry} selected={selected} hovered={hovered} stations={stations} flyingDrones={flyingDrones}
        onStation={onStation} onDrone={onDrone} />
    </div>
  );
}
