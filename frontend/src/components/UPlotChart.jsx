// One uPlot chart (canvas, made for time series): created once per `options`, fed `data` as it
// changes, resized with its box. `data-points` tells how many x values it draws (tests read it).

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const UTC = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

/** Tick labels of a UTC time axis, 24-hour: seconds shown under 30 minutes, dates over 2 days. */
export function timeLabels(_u, values) {
  const span = values.length > 1 ? values[values.length - 1] - values[0] : 0;
  return values.map((v) => {
    const iso = new Date(v * 1000).toISOString();
    if (span > 2 * 86400) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
    return span < 1800 ? iso.slice(11, 19) : iso.slice(11, 16);
  });
}

/** Dark-theme axes with UTC time on x. */
export function axes(yLabel) {
  const grid = { stroke: 'rgba(125, 143, 166, 0.15)', width: 1 };
  return [
    { stroke: '#7d8fa6', grid, ticks: grid, values: timeLabels },
    { stroke: '#7d8fa6', grid, ticks: grid, label: yLabel, labelSize: 14, size: 48 },
  ];
}

export default function UPlotChart({ options, data, height = 160, testid, extra = {} }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const el = box.current;
    const chart = new uPlot({ tzDate: UTC, ...options, width: el.clientWidth || 300, height }, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 300, height }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.destroy(); plot.current = null; };
  }, [options, height]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (plot.current) plot.current.setData(data); }, [data]);
  const n = data && data[0] ? data[0].length : 0;
  return <div className="uplot-box" ref={box} data-testid={testid} data-points={n} {...extra} />;
}
