// The selected satellite's stored energy from the flight recorder over a chosen window (last
// orbit, 6 h, whole run): eclipses shaded, beam and drone deliveries marked. Refreshed every 5 s
// while `recording` (the health report's recorder.enabled; nothing is asked before it is known).

import { useCallback, useMemo, useState } from 'react';
import UPlotChart, { axes } from './UPlotChart.jsx';
import { useInterval } from './hooks.js';
import { queryString, spansBelow, stepFor, unixSeconds, windowRange } from '../lib/history.js';

const WINDOWS = [['orbit', 'last orbit'], ['6h', '6 h'], ['run', 'whole run']];
const DELIVERY_KINDS = 'sat.energy_transfer_started,drone.charged';
const MARK = { 'sat.energy_transfer_started': '#ffe66d', 'drone.charged': '#ff9f1c' };

/** uPlot plugin: grey bands over the eclipses (under the line), a tick per delivery (over it). */
function overlays(ref) {
  const band = (u, x0, x1) => {
    const a = u.valToPos(x0, 'x', true), b = u.valToPos(x1, 'x', true);
    u.ctx.fillRect(Math.min(a, b), u.bbox.top, Math.max(1, Math.abs(b - a)), u.bbox.height);
  };
  return {
    hooks: {
      drawAxes: [(u) => {
        u.ctx.save();
        u.ctx.fillStyle = 'rgba(120, 140, 170, 0.22)';
        ref.current.eclipses.forEach(([x0, x1]) => band(u, x0, x1));
        u.ctx.restore();
      }],
      draw: [(u) => {
        u.ctx.save();
        ref.current.deliveries.forEach(({ x, kind }) => {
          u.ctx.fillStyle = MARK[kind];
          band(u, x, x);
        });
        u.ctx.restore();
      }],
    },
  };
}

export default function EnergyHistory({ api, satId, nowS, altKm, recording }) {
  const [win, setWin] = useState('orbit');
  const [got, setGot] = useState({ data: [[], []], eclipses: [], deliveries: [], error: null });
  const ref = useMemo(() => ({ current: got }), []); // eslint-disable-line react-hooks/exhaustive-deps
  ref.current = got;
  const load = useCallback(async () => {
    const { from, to } = windowRange(win, nowS(), altKm);
    const range = { from: from.toFixed(3), to: to.toFixed(3) };
    const [h, ev] = await Promise.all([
      api.get(`/api/runs/current/satellites/${encodeURIComponent(satId)}/history${queryString({ ...range, step: stepFor(from, to) })}`),
      api.get(`/api/runs/current/events${queryString({ ...range, satellite: satId, kind: DELIVERY_KINDS, limit: 500 })}`),
    ]);
    if (!h.ok) { setGot((g) => ({ ...g, error: h.body?.error?.message || `HTTP ${h.status}` })); return; }
    const c = h.body.columns;
    const xs = unixSeconds(c.sim_date);
    const deliveries = ev.ok ? ev.body.events.map((e) => ({ x: Date.parse(e.sim_date) / 1000, kind: e.kind })) : [];
    setGot({ data: [xs, c.energy_eu], eclipses: spansBelow(xs, c.sunlit), deliveries, error: null });
  }, [api, satId, win, nowS, altKm]);
  useInterval(load, 5000, !!satId && recording === true);
  const options = useMemo(() => ({
    legend: { show: false }, cursor: { drag: { x: false, y: false } }, axes: axes('EU'),
    scales: { y: { range: (u, lo, hi) => [0, Math.max(hi, 1)] } },
    series: [{}, { label: 'energy', stroke: '#5ad1ff', width: 1.5, fill: 'rgba(90, 209, 255, 0.08)' }],
    plugins: [overlays(ref)],
  }), [ref]);
  return (
    <div className="energy-history">
      <div className="seg" role="group" aria-label="energy window">
        {WINDOWS.map(([id, label]) => (
          <button type="button" key={id} className={`btn btn-sm${win === id ? ' on' : ''}`} aria-pressed={win === id}
            data-testid={`energy-window-${id}`} onClick={() => setWin(id)}>{label}</button>
        ))}
        <span className="muted legend-marks"><i className="mk-ecl" />eclipse <i className="mk-beam" />beam <i className="mk-drone" />drone</span>
      </div>
      <UPlotChart options={options} data={got.data} height={120} testid="energy-history"
        extra={{ 'data-eclipses': got.eclipses.length, 'data-deliveries': got.deliveries.length, 'data-window': win }} />
      {got.error && <div className="note note-err" data-testid="energy-history-error">{got.error}</div>}
      {recording === false && <div className="note muted" data-testid="energy-history-off">recording is off (HISTORY_URL=off)</div>}
    </div>
  );
}
