// Live event feed: filter by kind, alerts highlighted, click a row to inspect its satellite.

import { useMemo, useState } from 'react';
import { useTicker } from './hooks.js';
import { eventSatellite } from '../lib/store.js';
import { fmtSimTime, fmtDuration } from './format.js';

const KINDS = [
  ['alert', 'Alerts'],
  ['sat', 'Beams'],
  ['drone', 'Drones'],
  ['task', 'Tasks'],
];

/** One line of human text for an event payload. */
export function describe(name, p = {}) {
  const pct = (v) => (Number.isFinite(v) ? `${v.toFixed(1)}%` : '?');
  switch (name) {
    case 'task.created': return `${p.task_id} ${p.priority} · ${p.energy_need?.toFixed?.(1) ?? '?'} EU`;
    case 'task.assigned': return `${p.task_id} → ${p.satellite_id} in ${fmtDuration(p.latency_s)}`;
    case 'task.completed': return `${p.task_id} on ${p.satellite_id} · ${p.energy_used?.toFixed?.(1) ?? '?'} EU`;
    case 'task.dropped': return `${p.task_id} ${p.reason}${p.satellite_id ? ` on ${p.satellite_id}` : ''}`;
    case 'sat.energy_transfer_started': return `${p.from} ⇒ ${p.to} · ${Math.round(p.distance_km)} km`;
    case 'sat.energy_transfer_ended': return `${p.from} ⇒ ${p.to} · ${p.delivered_eu?.toFixed?.(1) ?? '?'} EU (${p.reason})`;
    case 'drone.launched': return `${p.drone_id} from ${p.station_id} → ${p.satellite_id}`;
    case 'drone.arrived': return `${p.drone_id} docked at ${p.satellite_id}`;
    case 'drone.charged': return `${p.drone_id} gave ${p.satellite_id} ${p.delivered_eu?.toFixed?.(1) ?? '?'} EU`;
    case 'drone.recalled': return `${p.drone_id} recalled from ${p.satellite_id} (${p.reason})`;
    case 'alert.low_energy': return `${p.satellite_id} at ${pct(p.energy_pct)}, predicted ${pct(p.predicted_pct)}`;
    case 'alert.overloaded': return `${p.satellite_id} queue ${p.queue_length}, backlog ${fmtDuration(p.backlog_s)}`;
    case 'alert.blackout_avoided': return `${p.satellite_id} saved by ${p.by}`;
    case 'alert.loop_failed': return `loop ${p.loop} failed (${p.restarts} restarts): ${p.error}`;
    default: return JSON.stringify(p).slice(0, 120);
  }
}

export default function EventFeed({ store, onSelect, taskEvents, onTaskEvents }) {
  useTicker(400);
  const [filters, setFilters] = useState({ alert: true, sat: true, drone: true, task: taskEvents });
  const [text, setText] = useState('');
  const toggle = (kind) => {
    const next = { ...filters, [kind]: !filters[kind] };
    setFilters(next);
    if (kind === 'task') onTaskEvents(next.task);
  };
  const rows = useMemo(() => {
    const q = text.trim().toLowerCase();
    const out = [];
    for (let i = store.events.length - 1; i >= 0 && out.length < 60; i--) {
      const e = store.events[i];
      if (!filters[e.kind] && e.kind !== 'other') continue;
      if (q && !e.name.includes(q) && !JSON.stringify(e.payload).toLowerCase().includes(q)) continue;
      out.push(e);
    }
    return out;
  }); // recomputed on every ticker render: the log is mutated in place
  return (
    <section className="panel feed" data-testid="event-feed">
      <header className="panel-title">
        Events
        <span className="chips">
          {KINDS.map(([k, label]) => (
            <button type="button" key={k} className={`chip chip-${k}${filters[k] ? ' on' : ''}`}
              data-testid={`feed-filter-${k}`} onClick={() => toggle(k)}>{label}</button>
          ))}
        </span>
      </header>
      <input className="feed-search" placeholder="filter text (e.g. sat-12, dropped)" value={text} onChange={(e) => setText(e.target.value)} />
      <ol className="feed-list">
        {rows.length === 0 && <li className="muted feed-empty">no events yet</li>}
        {rows.map((e) => {
          const sat = eventSatellite(e.payload);
          return (
            <li key={e.id} className={`ev ev-${e.kind}`} onClick={() => sat >= 0 && onSelect(sat)} title={e.name}>
              <span className="ev-time">{fmtSimTime(e.simTime)}</span>
              <span className="ev-name">{e.name.replace(/^[a-z]+\./, '')}</span>
              <span className="ev-text">{describe(e.name, e.payload)}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
