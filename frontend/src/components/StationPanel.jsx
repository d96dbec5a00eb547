// The selected ground station or drone: a small inspector on the right.

import { useCallback, useState } from 'react';
import { useInterval } from './hooks.js';
import PassList from './PassList.jsx';
import { fmt } from './format.js';
import { satIndex } from '../lib/protocol.js';
import './contacts.css';

export function StationPanel({ api, station, onSelectSat, onClose }) {
  return (
    <section className="panel station-panel" data-testid="station-panel">
      <header className="panel-title">
        <span className="insp-id" data-testid="station-id">{station.station_id}</span>
        <span>{station.name}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-x" onClick={onClose} aria-label="close station">×</button>
      </header>
      <div className="kv"><span>Position</span><b>{fmt(station.lat, 2)}°, {fmt(station.lon, 2)}°</b></div>
      <PassList api={api} path={`/api/stations/${station.station_id}/passes`} label="Passes" by="satellite"
        onSelectSat={onSelectSat} testid="station-passes" />
    </section>
  );
}

export function DronePanel({ api, droneId, onSelectSat, onClose }) {
  const [d, setD] = useState(null);
  const load = useCallback(async () => {
    const r = await api.get(`/api/drones/${droneId}`);
    if (r.ok) setD(r.body);
  }, [api, droneId]);
  useInterval(load, 1000, true);
  return (
    <section className="panel drone-panel" data-testid="drone-panel">
      <header className="panel-title">
        <span className="insp-id" data-testid="drone-id">{droneId}</span>
        <span className="pill">{d ? d.status : '…'}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-x" onClick={onClose} aria-label="close drone">×</button>
      </header>
      <div className="kv">
        <span>Payload</span><b>{d ? `${fmt(d.battery, 1)} EU` : '–'}</b>
        <span>Reserve</span><b>{d ? `${fmt(d.reserve_battery, 1)} EU` : '–'}</b>
        <span>Home</span><b>{d ? d.station_id : '–'}</b>
        <span>Target</span><b>{d && d.target?.satellite_id
          ? <button type="button" className="link" onClick={() => onSelectSat(satIndex(d.target.satellite_id))}>{d.target.satellite_id}</button> : '–'}</b>
        <span>Position</span><b>{d ? `${fmt(d.position.lat, 2)}°, ${fmt(d.position.lon, 2)}°, ${fmt(d.position.alt)} km` : '–'}</b>
      </div>
    </section>
  );
}
