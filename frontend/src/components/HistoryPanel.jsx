// The KPI panel opened into full charts of a recorded run (flight recorder): a time range,
// fleet charge and blackouts, task flows, queue, per-plane mean charge from the rollups, and the
// list of past runs with their seed and config. Refreshed every 5 s while open.

import { useCallback, useMemo, useState } from 'react';
import UPlotChart, { axes } from './UPlotChart.jsx';
import { useInterval } from './hooks.js';
import { pivotRollups, queryString, seriesColor, stepFor, unixSeconds } from '../lib/history.js';
import { fmtInt } from './format.js';

const RANGES = [['600', '10 min'], ['3600', '1 h'], ['21600', '6 h'], ['run', 'whole run']];

function chartOptions(yLabel, series, extra = {}) {
  return { legend: { show: true, live: false }, cursor: { drag: { x: true, y: false } }, axes: axes(yLabel),
    series: [{}, ...series], ...extra };
}

const KPI_CHARTS = [
  ['Fleet state of charge', '%', [['mean_energy_pct', 'mean SoC', '#4be08f']]],
  ['Satellites', 'count', [['blackout', 'blackout', '#ff4d6d'], ['low_energy', 'low', '#ffb347'], ['active_beams', 'beams', '#ffe66d']]],
  ['Tasks per bucket', 'tasks', [['tasks_created', 'created', '#5ad1ff'], ['tasks_completed', 'completed', '#4be08f'], ['tasks_dropped', 'dropped', '#ff5d73']]],
  ['Queue', 'tasks', [['pending', 'pending', '#ffb347'], ['running', 'running', '#c792ea']]],
];

function RunsList({ runs, current, chosen, onChoose }) {
  return (
    <table className="runs" data-testid="runs-list">
      <thead><tr><th>run</th><th>seed</th><th>satellites</th><th>started</th><th>ticks</th><th>sim time</th><th>time scale</th><th /></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.run_id} className={r.run_id === chosen ? 'on' : ''} data-testid={`run-${r.run_id}`}>
            <td>#{r.run_id}{r.run_id === current && <span className="pill pill-on">live</span>}</td>
            <td>{r.seed}</td><td>{fmtInt(r.n_satellites)}</td>
            <td>{new Date(r.started_wall * 1000).toISOString().replace('T', ' ').slice(0, 19)}</td>
            <td>{fmtInt(r.last_tick)}</td><td>{(r.last_sim_s / 3600).toFixed(2)} h</td>
            <td title={JSON.stringify(r.config)}>{r.config?.time?.time_scale}×</td>
            <td><button type="button" className="btn btn-sm" onClick={() => onChoose(r.run_id)} data-testid={`choose-run-${r.run_id}`}>chart</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function HistoryPanel({ api, onClose, recording }) {
  const [range, setRange] = useState('3600');
  const [runs, setRuns] = useState({ runs: [], current: null });
  const [chosen, setChosen] = useState(null);
  const [kpis, setKpis] = useState(null);
  const [planes, setPlanes] = useState(null);
  const [error, setError] = useState(null);
  const runId = chosen ?? runs.current;
  const load = useCallback(async () => {
    const list = await api.get('/api/runs?limit=50');
    if (!list.ok) { setError(list.body?.error?.message || `HTTP ${list.status}`); return; }
    setRuns(list.body);
    const id = chosen ?? list.body.current;
    const run = list.body.runs.find((r) => r.run_id === id);
    if (!run) return;
    const to = run.last_sim_s;
    const from = range === 'run' ? 0 : Math.max(0, to - Number(range));
    const q = { from: from.toFixed(3), to: to.toFixed(3), step: stepFor(from, to) };
    const [k, p] = await Promise.all([api.get(`/api/runs/${id}/kpis${queryString(q)}`),
      api.get(`/api/runs/${id}/rollups${queryString({ ...q, group: 'plane', step: stepFor(from, to, 200) })}`)]);
    if (k.ok) setKpis(k.body);
    if (p.ok) setPlanes(pivotRollups(p.body.columns, 'mean_soc_pct'));
    setError(k.ok && p.ok ? null : (k.body || p.body)?.error?.message || 'history unavailable');
  }, [api, chosen, range]);
  useInterval(load, 5000, recording !== false);

  const kpiCharts = useMemo(() => KPI_CHARTS.map(([title, unit, series]) => ({
    title, options: chartOptions(unit, series.map(([, label, stroke]) => ({ label, stroke, width: 1.5 }))),
    fields: series.map(([f]) => f) })), []);
  const xs = kpis ? unixSeconds(kpis.columns.sim_date) : [];
  const nPlanes = planes ? planes.keys.length : 0;
  const planeOptions = useMemo(() => chartOptions('% SoC', Array.from({ length: nPlanes }, (_, i) => ({
    label: `plane ${i}`, stroke: seriesColor(i, nPlanes), width: 1 }))), [nPlanes]);
  return (
    <div className="history-overlay" role="dialog" aria-label="run history charts" data-testid="history-panel">
      <section className="panel history">
        <header className="panel-title">
          <span>Run history{runId != null && <span className="muted"> · run #{runId}</span>}</span>
          <span className="seg" role="group" aria-label="time range">
            {RANGES.map(([id, label]) => (
              <button type="button" key={id} className={`btn btn-sm${range === id ? ' on' : ''}`} aria-pressed={range === id}
                data-testid={`history-range-${id}`} onClick={() => setRange(id)}>{label}</button>
            ))}
          </span>
          <span className="spacer" />
          <button type="button" className="btn btn-x" onClick={onClose} aria-label="close history" data-testid="history-close">×</button>
        </header>
        {recording === false && <div className="note" data-testid="history-off">Recording is off (HISTORY_URL=off): no history to chart.</div>}
        {error && <div className="note note-err" data-testid="history-error">{error}</div>}
        <div className="history-grid">
          {kpiCharts.map((c) => (
            <figure key={c.title} className="history-chart">
              <figcaption>{c.title}</figcaption>
              <UPlotChart options={c.options} data={[xs, ...c.fields.map((f) => (kpis ? kpis.columns[f] : []))]}
                testid={`kpi-chart-${c.fields[0]}`} />
            </figure>
          ))}
          <figure className="history-chart wide">
            <figcaption>Mean state of charge per orbital plane</figcaption>
            {planes && <UPlotChart options={planeOptions} data={[planes.xs, ...planes.keys.map((k) => planes.series[k])]}
              height={200} testid="plane-chart" extra={{ 'data-series': nPlanes }} />}
          </figure>
        </div>
        <h3 className="history-sub">Runs</h3>
        <RunsList runs={runs.runs} current={runs.current} chosen={runId} onChoose={setChosen} />
      </section>
    </div>
  );
}
