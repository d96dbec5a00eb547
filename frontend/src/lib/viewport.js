// Keep the globe in the part of the screen the panels leave free.
//
// The panels float over the full-screen canvas. From their rectangles we find the free
// rectangle; the camera's view offset moves the globe's centre into it, and on first layout (or
// a resize) the camera distance is chosen so the globe with its satellites fits inside it.

/** Radius (scene units, Earth radii) that must fit: the Earth plus low-orbit satellites. */
export const FIT_RADIUS = 1.15;

/**
 * The free rectangle {left, top, right, bottom} of a `width` x `height` screen given the
 * rectangles of the floating panels. Only panels that span a side count: a column along the
 * left or right edge taller than a third of the screen, a bar along the top or bottom wider than
 * a third of it. Small things (folded panels, buttons) are ignored.
 */
export function freeRect(rects, width, height) {
  const free = { left: 0, top: 0, right: width, bottom: height };
  for (const r of rects) {
    if (!r || r.width <= 0 || r.height <= 0) continue;
    const tall = r.height > height / 3, wide = r.width > width / 3;
    if (tall && r.left < 24 && r.right < width / 2) free.left = Math.max(free.left, r.right);
    else if (tall && r.right > width - 24 && r.left > width / 2) free.right = Math.min(free.right, r.left);
    else if (wide && r.top < 24 && r.bottom < height / 2) free.top = Math.max(free.top, r.bottom);
    else if (wide && r.bottom > height - 24 && r.top > height / 2) free.bottom = Math.min(free.bottom, r.top);
  }
  if (free.right - free.left < width / 4) { free.left = 0; free.right = width; } // nothing sensible left
  if (free.bottom - free.top < height / 4) { free.top = 0; free.bottom = height; }
  return free;
}

/**
 * Camera distance (Earth radii from the centre) at which a sphere of `radius` looks
 * `pixels` in radius on a screen `height` pixels tall with vertical field of view `fovDeg`.
 */
export function fitDistance(pixels, height, fovDeg, radius = FIT_RADIUS) {
  const t = (pixels / (height / 2)) * Math.tan((fovDeg * Math.PI) / 360);
  return radius / Math.sin(Math.atan(t));
}

/** Pixel offset of the free rectangle's centre from the screen's centre. */
export function centreShift(free, width, height) {
  return { x: (free.left + free.right) / 2 - width / 2, y: (free.top + free.bottom) / 2 - height / 2 };
}
