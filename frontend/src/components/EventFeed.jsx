// Live event feed: filter by kind, alerts highlighted, bursts folded into one row, a row expands
// to its details (and a button to inspect its satellite); a new run clears it with a marker.

import { useState } from 'react';
import { useTicker } from './hooks.js';
import PanelTitle from './Panel.jsx';
import { eventSatellite } from '../lib/store.js';
import { feedRows, burstText } from '../lib/feed.js';
import { satId } from '../lib/protocol.js';
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
    case 'drone.launched': return `${p.battery_id} from ${p.station_id} → ${p.satellite_id}`;
    case 'drone.arrived': return `${p.battery_id} docked at ${p.satellite_id}`;
    case 'drone.charged': return `${p.battery_id} gave ${p.satellite_id} ${p.delivered_eu?.toFixed?.(1) ?? '?'} EU`;
    case 'drone.recalled': return `${p.battery_id} recalled from ${p.satellite_id} (${p.reason})`;
    case 'alert.low_energy': return `${p.satellite_id} at ${pct(p.energy_pct)}, predicted ${pct(p.predicted_pct)}`;
    case 'alert.overloaded': return `${p.satellite_id} queue ${p.queue_length}, backlog ${fmtDuration(p.backlog_s)}`;
    case 'alert.blackout_avoided': return `${p.satellite_id} saved by ${p.by}`;
    case 'alert.loop_failed': return `loop ${p.loop} failed (${p.restarts} restarts): ${p.error}`;
    default: return JSON.stringify(p).slice(0, 120);
  }
}

/** "key: value" lines of a payload for the expanded row. */
function details(payload) {
  if (!payload || typeof payload !== 'object') return [];
  return Object.entries(payload).map(([k, v]) => `${k}: ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : JSON.stringify(v)}`);
}

const MARKER_TEXT = {
  'run.reset': 'simulation reset: events of the previous run cleared',
  'run.new_run': 'connected to a new run: events of the previous one cleared',
};

function EventRow({ e, open, onToggle, onSelect }) {
  const sat = eventSatellite(e.payload);
  return (
    <li className={`ev ev-${e.kind}${open ? ' open' : ''}`}>
      <button type="button" className="ev-main" aria-expanded={open} onClick={onToggle} title="show details">
        <span className="ev-time">{fmtSimTime(e.simTime)}</span>
        <span className="ev-name">{e.name.replace(/^[a-z]+\./, '').replace(/_/g, ' ')}</span>
        <span className="ev-text">{describe(e.name, e.payload)}</span>
      </button>
      {open && (
        <div className="ev-detail">
          {details(e.payload).map((line) => <div key={line}>{line}</div>)}
          {sat >= 0 && <button type="button" className="btn btn-sm" onClick={() => onSelect(sat)}>inspect {satId(sat)}</button>}
        </div>
      )}
    </li>
  );
}

function BurstRow({ row, open, onToggle, onSelect, expanded, onToggleOne }) {
  return (
    <li className={`ev ev-${row.kind} ev-burst${open ? ' open' : ''}`} data-testid="feed-burst">
      <button type="button" className="ev-main" aria-expanded={open} onClick={onToggle} title="list the events">
        <span className="ev-time">{fmtSimTime(row.simTime)}</span>
        <span className="ev-name">{row.name.replace(/^[a-z]+\./, '').replace(/_/g, ' ')} ×{row.count}</span>
        <span className="ev-text"><b>{burstText(row.name, row.count, row.spanS)}</b></span>
      </button>
      {open && (
        <ol className="ev-sub">
          {row.events.slice(0, 50).map((e) => (
            <EventRow key={e.id} e={e} open={expanded.has(e.id)} onToggle={() => onToggleOne(e.id)} onSelect={onSelect} />
          ))}
          {row.count > 50 && <li className="muted">+{row.count - 50} more</li>}
        </ol>
      )}
    </li>
  );
}

/**
 * The feed. `kinds` (array of 'alert' | 'sat' | 'drone' | 'task') is the filter, owned by the
 * page (it lives in the URL); `onKinds` changes it.
 */
export default function EventFeed({ store, onSelect, kinds, onKinds, fold }) {
  useTicker(400);
  const [text, setText] = useState('');
  const [expanded, setExpanded] = useState(() => new Set());
  const toggleOne = (id) => setExpanded((prev) => {
    const next = new Set(prev);
    if (next.has(id)) next.delete(id); else next.add(id);
    return next;
  });
  const toggle = (kind) => onKinds(kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind]);
  const q = text.trim().toLowerCase();
  const keep = (e) => (kinds.includes(e.kind) || e.kind === 'other')
    && (!q || e.name.includes(q) || JSON.stringify(e.payload).toLowerCase().includes(q));
  // recomputed on every ticker render: the log is mutated in place
  const rows = fold?.closed ? [] : feedRows(store.events, keep);
  const chips = (
    <span className="chips" role="group" aria-label="event kinds shown">
      {KINDS.map(([k, label]) => (
        <button type="button" key={k} className={`chip chip-${k}${kinds.includes(k) ? ' on' : ''}`} aria-pressed={kinds.includes(k)}
          data-testid={`feed-filter-${k}`} onClick={() => toggle(k)}>{label}</button>
      ))}
    </span>
  );
  if (fold?.closed) {
    return <section className="panel feed folded" data-testid="event-feed"><PanelTitle title="Events" fold={fold} /></section>;
  }
  return (
    <section className="panel feed" data-testid="event-feed">
      <PanelTitle title="Events" fold={fold}>{chips}</PanelTitle>
      <input className="feed-search" aria-label="filter events by text" placeholder="filter text (e.g. sat-012, dropped)" value={text} onChange={(e) => setText(e.target.value)} />
      <ol className="feed-list" data-testid="feed-list">
        {rows.length === 0 && <li className="muted feed-empty">no events yet</li>}
        {rows.map((r) => {
          if (r.kind === 'marker') {
            return <li key={r.id} className="ev ev-marker" data-testid="feed-marker">{MARKER_TEXT[r.name] || r.name}</li>;
          }
          if (r.burst) {
            return <BurstRow key={r.id} row={r} open={expanded.has(r.id)} onToggle={() => toggleOne(r.id)}
              onSelect={onSelect} expanded={expanded} onToggleOne={toggleOne} />;
          }
          return <EventRow key={r.id} e={r} open={expanded.has(r.id)} onToggle={() => toggleOne(r.id)} onSelect={onSelect} />;
        })}
      </ol>
    </section>
  );
}
