// The Arena page: start a policy arena job (scenario, policy sets, seeds, hours, load), follow its
// progress, and read its KPI table (mean, 95 % interval, paired difference against the baseline)
// and the report's plots. Names come from the OpenAPI document; jobs from /api/arena.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { useInterval } from './hooks.js';
import { errorMessage } from '../api/http.js';
import { KPIS, choices, fmt, jobBody, tableRows } from '../lib/arena.js';
import './arena.css';

const POLL_MS = 1000; // while a job runs
const IDLE_POLL_MS = 5000;
const START = { scenario: 'default', policies: ['v1', 'least_loaded'], seeds: '1-3', hours: '0.1', load: '50' };

function JobForm({ names, onStarted }) {
  const [form, setForm] = useState(START);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const toggle = (p) => setForm({ ...form,
    policies: form.policies.includes(p) ? form.policies.filter((x) => x !== p) : [...form.policies, p] });
  const submit = async (e) => {
    e.preventDefault();
    const made = jobBody(form);
    if (made.error) { setError(made.error); return; }
    setBusy(true);
    const r = await onStarted(made.body);
    setBusy(false);
    setError(r.ok ? null : errorMessage(r));
  };
  return (
    <form className="arena-form" onSubmit={submit} data-testid="arena-form" noValidate>
      <label>scenario
        <select value={form.scenario} onChange={set('scenario')} data-testid="arena-scenario">
          {names.scenarios.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <fieldset className="arena-policies" data-testid="arena-policies">
        <legend>policy sets <span className="muted">(the first chosen is the baseline)</span></legend>
        {names.policies.map((p) => (
          <label key={p} className="check">
            <input type="checkbox" checked={form.policies.includes(p)} onChange={() => toggle(p)} data-testid={`arena-policy-${p}`} />
            {p}{form.policies[0] === p && <span className="pill pill-on">baseline</span>}
          </label>
        ))}
      </fieldset>
      <label>seeds <input value={form.seeds} onChange={set('seeds')} data-testid="arena-seeds" size={8} placeholder="1-5" /></label>
      <label>hours <input value={form.hours} onChange={set('hours')} data-testid="arena-hours" size={5} inputMode="decimal" /></label>
      <label>load <input value={form.load} onChange={set('load')} data-testid="arena-load" size={5} inputMode="decimal" />
        <span className="muted"> tasks/s</span></label>
      <button type="submit" className="btn" disabled={busy} data-testid="arena-start">start</button>
      {error && <div className="note note-err" role="alert" data-testid="arena-error">{error}</div>}
    </form>
  );
}

function Progress({ job }) {
  const { done, total } = job.progress;
  return (
    <div className="arena-progress" data-testid="arena-progress" data-state={job.state} data-done={done} data-total={total}>
      <span>{job.job_id} · {job.scenario} · {job.state}</span>
      <progress max={total} value={done} /> <span>{done} / {total} runs</span>
      {job.error && job.state !== 'cancelled' && <span className="note note-err">{job.error}</span>}
    </div>
  );
}

function Cell({ c }) {
  if (c.mean === null || c.mean === undefined) return <td>–</td>;
  return (
    <td className={`v-${c.verdict}`} data-verdict={c.verdict}>
      <b>{fmt(c.mean)}</b> <span className="muted">[{fmt(c.lo)}, {fmt(c.hi)}]</span>
      {c.diff && c.diff.mean !== null && (
        <div className="arena-diff">Δ {c.diff.mean >= 0 ? '+' : ''}{fmt(c.diff.mean)} <span className="muted">[{fmt(c.diff.lo)}, {fmt(c.diff.hi)}]</span></div>
      )}
    </td>
  );
}

function KpiTable({ job }) {
  const rows = useMemo(() => tableRows(job), [job]);
  return (
    <table className="runs arena-table" data-testid="arena-table">
      <thead><tr><th>policy</th>{KPIS.map(([k, label, unit]) => <th key={k}>{label} <span className="muted">{unit}</span></th>)}</tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.policy} data-testid={`arena-row-${r.policy}`}>
            <td>{r.policy}{r.baseline && <span className="pill">baseline</span>}</td>
            {r.cells.map((c) => <Cell key={c.key} c={c} />)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JobList({ jobs, chosen, onChoose }) {
  return (
    <table className="runs" data-testid="arena-jobs">
      <thead><tr><th>job</th><th>scenario</th><th>policies</th><th>seeds</th><th>hours</th><th>state</th><th /></tr></thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.job_id} className={j.job_id === chosen ? 'on' : ''}>
            <td>{j.job_id}</td><td>{j.scenario}</td><td>{j.policies.join(', ')}</td><td>{j.seeds.length}</td>
            <td>{j.hours}</td><td>{j.state} {j.progress.done}/{j.progress.total}</td>
            <td><button type="button" className="btn btn-sm" onClick={() => onChoose(j.job_id)} data-testid={`arena-open-${j.job_id}`}>open</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function ArenaPanel({ api, onClose }) {
  const [names, setNames] = useState({ scenarios: [], policies: [] });
  const [list, setList] = useState({ jobs: [], running: null, limits: {} });
  const [chosen, setChosen] = useState(null);
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api.get('/api/openapi.json').then((r) => { if (r.ok) setNames(choices(r.body)); });
  }, [api]);
  const refresh = useCallback(async () => {
    const l = await api.get('/api/arena');
    if (!l.ok) { setError(errorMessage(l)); return; }
    setList(l.body);
    const id = chosen ?? l.body.jobs[0]?.job_id;
    if (!id) return;
    const j = await api.get(`/api/arena/${id}`);
    if (j.ok) setJob(j.body);
    setError(j.ok ? null : errorMessage(j));
  }, [api, chosen]);
  useInterval(refresh, !job || job.state === 'running' ? POLL_MS : IDLE_POLL_MS, true);
  const start = async (body) => {
    const r = await api.post('/api/arena', body);
    if (r.ok) { setChosen(r.body.job_id); setJob(r.body); }
    return r;
  };
  const cancel = async () => { if (job) setJob((await api.request('DELETE', `/api/arena/${job.job_id}`)).body); };
  const done = job && job.state === 'done';
  return (
    <div className="history-overlay" role="dialog" aria-label="policy arena" data-testid="arena-panel">
      <section className="panel history arena">
        <header className="panel-title">
          <span>Policy arena <span className="muted">· policies x seeds, common random numbers, 95 % intervals</span></span>
          <span className="spacer" />
          <button type="button" className="btn btn-x" onClick={onClose} aria-label="close arena" data-testid="arena-close">×</button>
        </header>
        <JobForm names={names} onStarted={start} />
        {list.limits.max_sat_hours && (
          <div className="muted arena-limits">up to {fmt(list.limits.max_sat_hours)} satellite-hours per job, one job at a time,
            {' '}{list.limits.workers} worker{list.limits.workers === 1 ? '' : 's'} at nice {list.limits.nice}</div>
        )}
        {error && <div className="note note-err" data-testid="arena-load-error">{error}</div>}
        {job && <Progress job={job} />}
        {job && job.state === 'running' && <button type="button" className="btn btn-sm" onClick={cancel} data-testid="arena-cancel">cancel</button>}
        {done && (
          <>
            <h3 className="history-sub">KPIs over {job.seeds.length} seeds: mean [95 % CI]; Δ paired difference against {job.baseline} [95 % CI]</h3>
            <KpiTable job={job} />
            <div className="history-grid arena-plots">
              {job.files.filter((f) => f.endsWith('.png')).map((f) => (
                <figure key={f} className="history-chart">
                  <figcaption>{f === 'kpis.png' ? 'KPIs with 95 % intervals' : 'Fleet mean state of charge'}</figcaption>
                  <img src={`/api/arena/${job.job_id}/report/${f}`} alt={f} data-testid={`arena-plot-${f.replace('.png', '')}`} />
                </figure>
              ))}
            </div>
            <div className="arena-links">
              {job.files.map((f) => <a key={f} href={`/api/arena/${job.job_id}/report/${f}`} download>{f}</a>)}
            </div>
          </>
        )}
        <h3 className="history-sub">Jobs</h3>
        <JobList jobs={list.jobs} chosen={job?.job_id} onChoose={setChosen} />
      </section>
    </div>
  );
}
