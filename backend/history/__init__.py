"""The flight recorder: every run written to SQLite or PostgreSQL, outside the core.

- capture.py: what is copied from the engine after each step (in the step's thread);
- recorder.py: the bounded queue and the writer thread (batched, counted losses, resumes);
- rows.py: captures to table rows, rollups per plane and latitude band (numpy bincount);
- schema.py / migrations/: the tables (SQLAlchemy Core 2) and their Alembic migrations;
- store.py: opening, migrating and writing (SQLite executemany, PostgreSQL COPY);
- retention.py: trimming by simulated age and by size;
- queries.py / export.py: what GET /api/runs/... reads and streams (backend/routes/runs.py).
"""

from __future__ import annotations

import contextlib

from .urls import database_url

__all__ = ["database_url", "open_recorder", "step_aside"]


def open_recorder(history_url: str, **options):
    """A started Recorder for HISTORY_URL, or None when it is `off` (SQLAlchemy is imported
    only when recording)."""
    url = database_url(history_url)
    if url is None:
        return None
    from .recorder import Recorder, RecorderSettings

    return Recorder(RecorderSettings(url=url, **options)).start()


def step_aside(recorder):
    """The context a step runs in: the recorder's writer waits meanwhile (Recorder.stepping);
    nothing without a recorder."""
    return contextlib.nullcontext() if recorder is None else recorder.stepping()
