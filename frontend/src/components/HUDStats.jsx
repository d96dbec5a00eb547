// Live KPIs with sparklines of the last five minutes; reads the store twice a second.

import { useTicker } from './hooks.js';
import PanelTitle from './Panel.jsx';
import Sparkline from './Sparkline.jsx';
import { fmt, fmtInt, fmtDuration } from './format.js';
import { kpiQueue, pickNumber } from '../lib/store.js';
import { socCss } from '../lib/colors.js';

function Stat({ label, value, unit, series, color, testid, sub }) {
  return (
    <div className="stat" data-testid={testid}>
      <div className="stat-head">
        <span className="stat-label">{label}</span>
        <span className="stat-value" style={{ color }} data-testid={testid && `${testid}-value`}>{value}</span>
        {unit && <span className="stat-unit">{unit}</span>}
      </div>
      {series && <Sparkline values={series} color={color} width={228} height={22} />}
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

export default function HUDStats({ store, fold, onCharts }) {
  useTicker(500);
  const h = store.history;
  const k = store.kpis || {};
  const totals = store.totals || {};
  const last = (r) => r.last();
  const energy = k.energy || store.snapshot?.energy || {};
  const lat = k.delegation_latency_s || {};
  const meanSoc = pickNumber(k, 'mean_energy_pct') ?? store.derived.meanSoc;
  const tickMs = pickNumber(k, 'tick_ms') ?? store.health?.last_tick_ms;
  const tickHz = last(h.tickHz);
  if (fold?.closed) {
    return <section className="panel hud folded" data-testid="hud"><PanelTitle title="Live KPIs" fold={fold} /></section>;
  }
  return (
    <section className="panel hud" data-testid="hud">
      <PanelTitle title="Live KPIs" fold={fold}>
        <span className="muted">· last 5 min</span>
        {onCharts && <button type="button" className="btn btn-sm charts-open" onClick={onCharts} data-testid="open-history">full charts</button>}
      </PanelTitle>
      <div className="stat-group">
        <Stat label="Tasks created" value={fmt(last(h.created), 1)} unit="/s" series={h.created.toArray()}
          color="#5ad1ff" testid="hud-created" sub={`${fmtInt(totals['task.created'])} total`} />
        <Stat label="Completed" value={fmt(last(h.completed), 1)} unit="/s" series={h.completed.toArray()}
          color="#4be08f" testid="hud-completed" sub={`${fmtInt(totals['task.completed'])} total`} />
        <Stat label="Dropped" value={fmt(last(h.dropped), 1)} unit="/s" series={h.dropped.toArray()}
          color="#ff5d73" testid="hud-dropped" sub={`${fmtInt(totals['task.dropped'])} total`} />
      </div>
      <div className="stat-group">
        <Stat label="Queue depth" value={fmtInt(kpiQueue(store))} series={h.queue.toArray()} color="#ffb347"
          testid="hud-queue" sub={`${fmtInt(k.running)} running on board`} />
        <Stat label="Delegation latency p50" value={fmtDuration(lat.p50)} series={h.latencyMs.toArray()}
          color="#c792ea" testid="hud-latency" sub={`p99 ${fmtDuration(lat.p99)} · sim time`} />
      </div>
      <div className="stat-group">
        <Stat label="Fleet state of charge" value={fmt(meanSoc, 1)} unit="%" series={h.meanSoc.toArray()}
          color={socCss(meanSoc)} testid="hud-soc"
          sub={`${fmtInt(k.low_energy)} low · ${fmtInt(k.blackout ?? store.derived.blackouts)} blackout · ${fmtInt(k.sunlit)} sunlit`} />
        <div className="energy-grid" data-testid="hud-energy">
          <span>Solar in</span><b>{fmt(energy.solar_in)}</b>
          <span>Beamed</span><b>{fmt(energy.beamed_out)}</b>
          <span>Beam loss</span><b>{fmt(energy.beam_losses)}</b>
          <span>Drone delivered</span><b>{fmt(energy.drone_delivered)}</b>
          <span>Task draw</span><b>{fmt(energy.task_draw)}</b>
          <span>Consumed</span><b>{fmt(energy.consumed)}</b>
        </div>
        <div className="stat-foot muted">energy totals in EU since reset</div>
      </div>
      <div className="stat-group two">
        <Stat label="Active beams" value={fmtInt(k.active_beams ?? store.nBeams)} series={h.beams.toArray()}
          color="#ffe66d" testid="hud-beams" />
        <Stat label="Drones flying" value={fmtInt(k.drones_flying ?? store.derived.flights)} series={h.flights.toArray()}
          color="#ff9f1c" testid="hud-flights" />
      </div>
      <div className="stat-group two">
        <Stat label="Alerts" value={fmt(last(h.alerts), 1)} unit="/s" series={h.alerts.toArray()} color="#ff7b54"
          testid="hud-alerts" sub={`${fmtInt(Object.entries(totals).filter(([n]) => n.startsWith('alert.')).reduce((a, [, v]) => a + v, 0))} total`} />
        <Stat label="Tick rate" value={fmt(tickHz, 1)} unit="Hz" series={h.tickHz.toArray()} color="#8fa8ff"
          testid="hud-tick" sub={`tick ${Number.isFinite(tickMs) ? tickMs.toFixed(1) : '–'} ms · #${fmtInt(store.tick)}`} />
      </div>
    </section>
  );
}
