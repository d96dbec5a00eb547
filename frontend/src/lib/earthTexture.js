// The Earth's texture, drawn offline from the bundled `world-atlas` TopoJSON (Natural Earth,
// public domain) with d3-geo into an equirectangular canvas. Nothing is fetched at run time.

import { geoEquirectangular, geoPath, geoGraticule10, geoGraticule } from 'd3-geo';
import { feature, mesh } from 'topojson-client';

/**
 * Draw the Earth as a two-channel mask into a new canvas `width` x `width/2`:
 * red = land cover (0 ocean .. 1 land, antialiased), green = line intensity (coastlines 1,
 * borders ~0.5, graticule ~0.25). The globe shader colours it, so the GPU samples a small
 * RG8 texture instead of sRGB RGBA: about half the frame time in software WebGL.
 */
export function drawEarthCanvas(world, width = 4096) {
  const height = width / 2;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  const projection = geoEquirectangular()
    .scale(width / (2 * Math.PI))
    .translate([width / 2, height / 2])
    .precision(0.2);
  const path = geoPath(projection, ctx);
  const px = width / 4096;

  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, width, height);
  if (world && world.objects) {
    ctx.fillStyle = '#ff0000';
    ctx.beginPath();
    path(feature(world, world.objects.land || world.objects.countries));
    ctx.fill();
  }
  // lines add into the green channel only
  ctx.globalCompositeOperation = 'lighter';
  const stroke = (geom, alpha, lineWidth) => {
    ctx.strokeStyle = `rgba(0, 255, 0, ${alpha})`;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    path(geom);
    ctx.stroke();
  };
  stroke(geoGraticule10(), 0.22, px);
  stroke(geoGraticule().step([0, 90]).extentMinor([[-180, -0.0001], [180, 0.0001]])(), 0.4, 1.5 * px);
  if (world && world.objects) {
    if (world.objects.countries) stroke(mesh(world, world.objects.countries, (a, b) => a !== b), 0.45, px);
    stroke(mesh(world, world.objects.land || world.objects.countries), 0.95, 1.6 * px);
  }
  ctx.globalCompositeOperation = 'source-over';
  return canvas;
}
