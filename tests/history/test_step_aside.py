"""The writer steps aside while a step runs (Recorder.stepping): it writes nothing until the step
ends, and a step longer than STEP_WAIT_MAX_S delays recording but never stops it."""

from __future__ import annotations

import time

from backend.history import recorder as recorder_module
from backend.history.recorder import Recorder, RecorderSettings
from backend.history.store import database_url

from .recorded import small_engine


def _kpis_written(rec: Recorder) -> int:
    return rec.status()["written"]["kpis"]


def _wait_written(rec: Recorder, at_least: int, timeout_s: float) -> int:
    end = time.monotonic() + timeout_s
    while _kpis_written(rec) < at_least and time.monotonic() < end:
        time.sleep(0.02)
    return _kpis_written(rec)


def _recording(tmp_path) -> tuple:
    rec = Recorder(RecorderSettings(url=database_url(str(tmp_path / "h.sqlite")), flush_s=0.05)).start()
    eng = small_engine(qps=50)
    rec.record(eng, eng.step(), eng.kpis())
    assert _wait_written(rec, 1, 10.0) == 1
    return rec, eng


def test_nothing_is_written_while_a_step_runs_and_it_is_written_after(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder_module, "STEP_WAIT_MAX_S", 30.0)
    rec, eng = _recording(tmp_path)
    try:
        with rec.stepping():
            rec.record(eng, eng.step(), eng.kpis())  # queued while the step is marked as running
            time.sleep(0.5)  # ten flush periods
            during = _kpis_written(rec)
        assert during == 1
        assert _wait_written(rec, 2, 10.0) == 2
    finally:
        rec.close()


def test_a_step_longer_than_the_bound_does_not_stop_recording(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder_module, "STEP_WAIT_MAX_S", 0.2)
    rec, eng = _recording(tmp_path)
    try:
        with rec.stepping():
            rec.record(eng, eng.step(), eng.kpis())
            during = _wait_written(rec, 2, 10.0)
        assert during == 2
    finally:
        rec.close()
