"""The flight recorder: a bounded queue from the tick loop to a writer thread and the database.

`Recorder.record(engine, events, kpis)` is called right after each step, where the step ran:
it copies what the tick changed (backend/history/capture.py) and appends it to a bounded queue;
it never waits (except in `blocking` mode, for headless runs, which have no wall clock to keep).
The queue is bounded in ticks and in bytes (the captures' numpy arrays): a tick that would take
it past either bound is dropped and its records are counted as lost.

The writer, an OS thread, wakes every few milliseconds and, every `flush_s`, turns the queued
captures into rows and writes them in one transaction, in chunks, stepping aside while the
server's step runs (`stepping()`). When the database cannot be reached or
written (down, disk full, locked) the batch is counted as lost per table, the recorder reports
`degraded` with the error, and the next flush tries again on a new connection: recording
resumes by itself when the database is back. The simulation never waits for any of it.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import subprocess
import time
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from backend.envfile import ROOT

from . import minutes, native, retention, schema, store
from .block import ColumnBlock
from .capture import Capturer, TickCapture
from .rows import RunTrack, tick_rows

log = logging.getLogger(__name__)

POLL_S = 0.02  # writer wake-up period (wall s)
RETENTION_EVERY_S = 10.0  # retention pass period (wall s)
ERROR_LOG_EVERY_S = 30.0
STEP_WAIT_MAX_S = 0.25  # the writer waits at most this long for a step to end (wall s): a slow step delays recording, never stops it
STEP_WAIT_POLL_S = 0.0005  # how often the waiting writer looks again (wall s)


@dataclass(frozen=True)
class RecorderSettings:
    """How and where to record (HISTORY_* settings)."""

    url: str  # SQLAlchemy URL
    flush_s: float = 1.0  # wall s between writes; a kill -9 loses at most this much
    queue_ticks: int = 600  # captures the queue holds before ticks are dropped
    queue_bytes: int = 256_000_000  # bytes of captured arrays the queue holds before ticks are dropped
    sample_every_s: float = 60.0  # simulated s between per-satellite samples (0: every tick)
    retain_sim_s: float = 0.0  # keep this many simulated s of each run (0: everything)
    max_bytes: int = 0  # keep the data under this size (0: no limit)
    origin: str = "server"
    blocking: bool = False  # wait for room in the queue instead of dropping (headless)


def code_version() -> str:
    """The git commit of the running code, or 'unknown'."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class Stats:
    """Counters the health route and /metrics read (written by one thread each, no lock)."""

    def __init__(self):
        self.written = dict.fromkeys(("runs", "config_changes", *schema.RECORD_TABLES), 0)
        self.lost = dict.fromkeys(self.written, 0)
        self.dropped_ticks = 0  # captures refused because the queue was full
        self.dropped_records = 0
        self.capture_errors = 0  # ticks whose capture raised (a recorder bug; the tick went on)
        self.flushes = 0
        self.failed_flushes = 0
        self.last_flush_wall = 0.0
        self.last_flush_ms = 0.0
        self.error: str | None = None  # last write error, None once a write succeeds again
        self.error_since: float | None = None


class Recorder:
    """Queue + writer thread for one database."""

    def __init__(self, settings: RecorderSettings):
        self.settings = settings
        self.capturer = Capturer(settings.sample_every_s)
        self.queue: collections.deque = collections.deque()
        self._bytes_in = 0  # bytes of every capture queued (tick thread only)
        self._bytes_out = 0  # bytes of every capture taken off the queue (writer thread only)
        self.stats = Stats()
        self.engine = store.open_engine(settings.url)
        self.version = code_version()
        self.track: RunTrack | None = None
        self._committed_run: int | None = None  # the current run's id once its row is committed
        self._migrated = False
        self._stopping = False
        self._stopped = False
        self._last_retention = 0.0
        self._last_error_log = -ERROR_LOG_EVERY_S
        self._step_since: float | None = None

    # -- tick side ------------------------------------------------------------------------
    @contextlib.contextmanager
    def stepping(self):
        """Mark a step in progress: the writer pauses between row chunks until it ends, so the
        two do not compete for the cores (on the 2-core test machine a busy second core slowed
        the step by 14-21 %)."""
        self._step_since = time.monotonic()
        try:
            yield
        finally:
            self._step_since = None

    def record(self, eng, ev, kpis: dict) -> None:
        """Capture the step just taken and queue it (never blocks unless `blocking`). A failure
        here is the recorder's, never the tick's: it is logged, counted, and the tick goes on."""
        try:
            cap = self.capturer.take(eng, ev, kpis)
        except Exception:
            self.stats.capture_errors += 1
            self.stats.dropped_ticks += 1
            now = time.monotonic()
            if now - self._last_error_log >= ERROR_LOG_EVERY_S:
                self._last_error_log = now
                log.exception("recorder: could not capture tick %s (counted as dropped)", getattr(eng, "tick", "?"))
            return
        if cap is not None:
            self.offer(cap)

    def queued_bytes(self) -> int:
        """Bytes of the captures waiting in the queue [bytes]."""
        return self._bytes_in - self._bytes_out

    def _full(self, size: int) -> bool:
        """The queue has no room for a capture of `size` bytes (an empty queue always has)."""
        depth = len(self.queue)
        return depth >= self.settings.queue_ticks or (
            depth > 0 and self.queued_bytes() + size > self.settings.queue_bytes)

    def offer(self, cap: TickCapture) -> bool:
        """Queue a capture; False (counted as lost) when the queue is full in ticks or bytes."""
        size = cap.nbytes()
        while self.settings.blocking and self._full(size) and not self._stopped:
            native.sleep(POLL_S / 4)
        if self._full(size) and cap.run is None:  # a run's first capture is always kept
            self.stats.dropped_ticks += 1
            self.stats.dropped_records += cap.records()
            return False
        self._bytes_in += size
        self.queue.append(cap)
        return True

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "Recorder":
        native.start_thread(self._run, "history-writer")
        return self

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is queued, mark the current run ended, stop the writer."""
        self._stopping = True
        deadline = time.monotonic() + timeout_s
        while not self._stopped and time.monotonic() < deadline:
            native.sleep(POLL_S)

    def _run(self) -> None:
        try:
            store.migrate(self.engine)
            self._migrated = True
        except Exception as exc:  # unreachable at start: the first flush tries again
            self._failed(exc, {}, [])
        next_flush = time.monotonic() + self.settings.flush_s
        while True:
            stopping = self._stopping
            now = time.monotonic()
            if stopping or now >= next_flush or self._half_full():
                self.flush()
                next_flush = now + self.settings.flush_s
            if stopping:
                self._end_run()
                break
            native.sleep(POLL_S)
        self.engine.dispose()
        self._stopped = True

    def _half_full(self) -> bool:
        """Half of either bound is used: write now rather than at the next period."""
        s = self.settings
        return len(self.queue) >= s.queue_ticks // 2 or self.queued_bytes() >= s.queue_bytes // 2

    # -- writing --------------------------------------------------------------------------
    def _wait_for_step(self) -> None:
        """Pause while a step runs, up to STEP_WAIT_MAX_S from its start."""
        while True:
            since = self._step_since
            if since is None or time.monotonic() - since >= STEP_WAIT_MAX_S or self._stopping:
                return
            native.sleep(STEP_WAIT_POLL_S)

    def flush(self) -> None:
        """Write every queued capture in one transaction (or count them lost)."""
        caps = [self.queue.popleft() for _ in range(len(self.queue))]
        self._bytes_out += sum(cap.nbytes() for cap in caps)
        batch: dict[str, list] = collections.defaultdict(list)
        new_runs: list[RunTrack] = []
        for cap in caps:
            self._wait_for_step()
            try:
                self._collect(cap, batch, new_runs)
            except Exception:  # a recorder bug: this tick is lost, the writer goes on
                self.stats.capture_errors += 1
                self.stats.dropped_ticks += 1
                log.exception("recorder: could not build the rows of tick %s", cap.tick)
        if not caps and self.stats.error is None and (self.track is None or self.track.run_id is not None):
            return
        t0 = time.perf_counter()
        try:
            with self.engine.begin() as conn:
                self._ensure_schema(conn)
                self._write(conn, batch, new_runs)
        except Exception as exc:  # any database failure: count, report, try again next flush
            self._failed(exc, batch, new_runs)
            return
        finally:
            self.stats.last_flush_ms = 1000.0 * (time.perf_counter() - t0)
        self._written(batch, len(new_runs))
        self._committed_run = None if self.track is None else self.track.run_id
        try:
            self._maybe_trim()
        except Exception as exc:  # the batch is written; a failed trim is retried at the next pass
            log.warning("recorder: retention pass failed: %s", exc)

    def _collect(self, cap: TickCapture, batch: dict, new_runs: list) -> None:
        if cap.run is not None:
            if self.track is not None:
                self._end_run_rows(batch, cap.wall)
            self.track = RunTrack(cap.run)
            new_runs.append(self.track)
        track = self.track
        if track is None:
            return
        if cap.config is not None and cap.run is None:
            track.config_seq += 1
            batch["config_changes"].append((track, track.config_seq, cap.tick, cap.sim_s, cap.wall,
                                            orjson.dumps(cap.config).decode()))
        for table, rows in tick_rows(track, cap).items():
            if rows:
                batch[table].append((track, rows))

    def _end_run_rows(self, batch: dict, wall: float) -> None:
        batch["run_updates"].append((self.track, wall))

    def _ensure_schema(self, conn) -> None:
        if not self._migrated:
            store.migrate_connection(conn)
            self._migrated = True

    def _insert_run(self, conn, track: RunTrack) -> None:
        s = track.start
        track.run_id = conn.execute(schema.runs.insert().values(
            started_wall=time.time(), seed=s.seed, scenario=orjson.dumps(s.scenario).decode(),
            config=orjson.dumps(s.config).decode(), code_version=self.version, origin=self.settings.origin,
            n_satellites=s.n_satellites, epoch_unix_s=s.epoch_unix_s, last_tick=0, last_sim_s=0.0)
        ).inserted_primary_key[0]

    def _write(self, conn, batch: dict, new_runs: list) -> None:
        track = self.track
        if track is not None and track not in new_runs and not self._run_row_there(conn, track):
            new_runs.append(track)  # its first write failed (or the database was replaced): write it now
        for track in new_runs:
            self._insert_run(conn, track)
        for table in schema.RECORD_TABLES:
            rows = [_with_run(track.run_id, r) for track, chunk in batch.get(table, ()) for r in _rows_of(chunk)]
            store.write(conn, table, rows, self._wait_for_step)
            if table == "rollups":
                minutes.add(conn, rows)
        changes = [(t.run_id, *rest) for t, *rest in batch.get("config_changes", ())]
        store.write(conn, "config_changes", changes)
        for track, wall in batch.get("run_updates", ()):
            self._update_run(conn, track, wall)
        if self.track is not None:
            self._update_run(conn, self.track, None)
        self._wait_for_step()  # the commit (and SQLite's WAL checkpoint after it) comes next

    def _update_run(self, conn, track: RunTrack, ended_wall: float | None) -> None:
        runs = schema.runs
        values = {"last_tick": track.last_tick, "last_sim_s": track.last_sim_s}
        if ended_wall is not None:
            values["ended_wall"] = ended_wall
        conn.execute(sa.update(runs).where(runs.c.run_id == track.run_id).values(**values))

    def _written(self, batch: dict, new_runs: int) -> None:
        st = self.stats
        st.written["runs"] += new_runs
        for table, chunks in batch.items():
            if table in st.written:
                st.written[table] += _count(table, chunks)
        st.flushes += 1
        st.last_flush_wall = time.time()
        if st.error is not None:
            log.warning("recorder: writing again after %.1f s of errors", time.time() - (st.error_since or 0))
        st.error = st.error_since = None

    @staticmethod
    def _run_row_there(conn, track: RunTrack) -> bool:
        if track.run_id is not None and not track.confirmed:
            runs = schema.runs
            found = conn.execute(sa.select(runs.c.run_id).where(runs.c.run_id == track.run_id)).scalar()
            track.run_id, track.confirmed = found, True
        return track.run_id is not None

    def _failed(self, exc: Exception, batch: dict, new_runs: list) -> None:
        st = self.stats
        for table, chunks in batch.items():
            if table in st.lost:
                st.lost[table] += _count(table, chunks)
        st.failed_flushes += 1
        st.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        st.error_since = st.error_since or time.time()
        self._migrated = False  # a new database (or a restored one) gets its schema checked again
        for track in new_runs:
            track.run_id = None  # its row was rolled back
        if self.track is not None:
            self.track.confirmed = False
        now = time.monotonic()
        if now - self._last_error_log >= ERROR_LOG_EVERY_S:
            self._last_error_log = now
            log.warning("recorder: write failed, records counted as lost, retrying each flush: %s", st.error)

    def _end_run(self) -> None:
        if self.track is None or self.track.run_id is None:
            return
        try:
            with self.engine.begin() as conn:
                self._update_run(conn, self.track, time.time())
        except Exception as exc:
            log.warning("recorder: could not mark run %s ended: %s", self.track.run_id, exc)

    def _maybe_trim(self) -> None:
        s = self.settings
        if not (s.retain_sim_s > 0 or s.max_bytes > 0):
            return
        now = time.monotonic()
        if now - self._last_retention < RETENTION_EVERY_S and not self._stopping:
            return
        self._last_retention = now
        with self.engine.begin() as conn:
            if s.retain_sim_s > 0:
                retention.trim_age(conn, s.retain_sim_s)
            if s.max_bytes > 0:
                retention.trim_size(conn, s.max_bytes, self.track.run_id if self.track else None)

    # -- reporting ------------------------------------------------------------------------
    def current_run(self) -> int | None:
        """The run being recorded, once its row is committed (readers can see it)."""
        return self._committed_run

    def status(self) -> dict:
        st = self.stats
        return {"enabled": True, "url": store.redacted(self.settings.url),
                "state": "degraded" if st.error else "ok", "error": st.error,
                "error_for_s": round(time.time() - st.error_since, 1) if st.error_since else None,
                "current_run": self.current_run(), "queued": len(self.queue),
                "queue_capacity": self.settings.queue_ticks, "queued_bytes": self.queued_bytes(),
                "queue_capacity_bytes": self.settings.queue_bytes, "dropped_ticks": st.dropped_ticks,
                "dropped_records": st.dropped_records, "capture_errors": st.capture_errors, "written": dict(st.written), "lost": dict(st.lost),
                "flushes": st.flushes, "failed_flushes": st.failed_flushes,
                "last_flush_ms": round(st.last_flush_ms, 3),
                "last_flush_age_s": round(time.time() - st.last_flush_wall, 3) if st.last_flush_wall else None,
                "sample_every_s": self.settings.sample_every_s, "flush_s": self.settings.flush_s}


def _count(table: str, chunks: list) -> int:
    return len(chunks) if table == "config_changes" else sum(len(rows) for _, rows in chunks)


def _rows_of(chunk) -> list:
    """A table's output of one tick: a ColumnBlock (one item) or a list of tuples."""
    return [chunk] if isinstance(chunk, ColumnBlock) else chunk


def _with_run(run_id: int, row):
    """The row with its run's database id (known once the run row is written)."""
    if isinstance(row, ColumnBlock):
        return row.with_value("run_id", run_id)
    return (run_id, *row[1:])

