// GLSL shared by the live layers: is a world point hidden behind the Earth (unit sphere)?
//
// The live canvas has no Earth geometry in its depth buffer (the Earth is drawn on the canvas
// below it), so points, lines and markers test the camera->point segment against the sphere.
// Same rule as occludedByEarth() in geo.js, with the same tolerance at the limb.
export const BEHIND_EARTH_GLSL = /* glsl */ `
  bool behindEarth(vec3 p) {
    vec3 d = p - cameraPosition;
    float len2 = dot(d, d);
    if (len2 <= 0.0) return false;
    float t = -dot(cameraPosition, d) / len2;
    if (t <= 0.0 || t >= 1.0) return false;
    vec3 c = cameraPosition + t * d;
    return dot(c, c) < 0.998;
  }
`;

/** Vertex + fragment shaders for vertex-coloured lines that vanish behind the Earth. */
export const LINE_VERTEX = /* glsl */ `
  attribute vec3 color;
  varying vec3 vColor;
  varying vec3 vWorld;
  void main() {
    vColor = color;
    vec4 w = modelMatrix * vec4(position, 1.0);
    vWorld = w.xyz;
    gl_Position = projectionMatrix * viewMatrix * w;
  }
`;

export const LINE_FRAGMENT = /* glsl */ `
  uniform float uOpacity;
  varying vec3 vColor;
  varying vec3 vWorld;
  ${BEHIND_EARTH_GLSL}
  void main() {
    if (behindEarth(vWorld)) discard;
    gl_FragColor = vec4(vColor, uOpacity);
  }
`;
