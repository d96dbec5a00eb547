// Upcoming passes (GET /api/satellites/<id>/passes or /api/stations/<id>/passes): a timeline
// bar per pass over the look-ahead and a list; a click selects the pass's satellite.

import { useCallback, useState } from 'react';
import { useInterval } from './hooks.js';
import { timelineBars } from '../lib/orbitGeom.js';
import { satIndex } from '../lib/protocol.js';
import { fmt } from './format.js';

const WIDTH = 300;

function hhmm(iso) {
  return iso ? iso.slice(11, 19) : '–';
}

export function usePasses(api, path, hours = 6) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(async () => {
    const r = await api.get(`${path}?hours=${hours}`);
    if (r.ok) { setData(r.body); setError(null); } else setError(r.body?.error?.message || `HTTP ${r.status}`);
  }, [api, path, hours]);
  useInterval(load, 60000, Boolean(path)); // a station over 300 satellites for 6 h is ~1 s of server CPU
  return { data, error };
}

export default function PassList({ api, path, label, by = 'station', onSelectSat, limit = 8, testid = 'passes' }) {
  const { data, error } = usePasses(api, path);
  const passes = data ? data.passes : [];
  const bars = data ? timelineBars(passes, data.from_s, data.to_s, WIDTH) : [];
  return (
    <div className="passes" data-testid={testid}>
      <div className="passes-title muted">{label} · next {data ? fmt((data.to_s - data.from_s) / 3600) : '–'} h above {data ? fmt(data.min_elevation_deg, 1) : '–'}°</div>
      <div className="pass-timeline" style={{ width: WIDTH }} data-testid={`${testid}-timeline`}>
        {passes.map((p, k) => (
          <button type="button" key={`${p.satellite_id}-${p.station_id}-${p.aos_s}`} className="pass-bar"
            style={{ left: bars[k].left, width: bars[k].width, opacity: 0.35 + 0.65 * p.quality }}
            title={`${p.satellite_id} over ${p.station}: ${hhmm(p.aos)}–${hhmm(p.los)} UTC, max ${fmt(p.max_elevation_deg, 1)}°, quality ${fmt(p.quality, 2)}`}
            data-testid="pass-bar" onClick={() => onSelectSat(satIndex(p.satellite_id))} />
        ))}
      </div>
      <table className="pass-table">
        <tbody>
          {passes.slice(0, limit).map((p) => (
            <tr key={`${p.satellite_id}-${p.station_id}-${p.aos_s}`}>
              <td>{by === 'station' ? p.station : (
                <button type="button" className="link" data-testid="pass-sat" onClick={() => onSelectSat(satIndex(p.satellite_id))}>{p.satellite_id}</button>
              )}</td>
              <td>{hhmm(p.aos)}–{hhmm(p.los)}</td>
              <td>{fmt(p.max_elevation_deg, 0)}°</td>
              <td>{fmt(p.duration_s / 60, 1)} min</td>
              <td>q {fmt(p.quality, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && passes.length === 0 && <div className="muted">no pass in the window</div>}
      {error && <div className="note note-err">{error}</div>}
    </div>
  );
}
