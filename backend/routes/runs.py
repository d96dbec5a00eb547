"""The flight recorder's query API: GET /api/runs/... (backend/history/queries.py does the reads).

Run ids are numbers or `current` (the run being recorded). `from` / `to` take simulated seconds
(`3600`, `90.5`) or an ISO 8601 date of the run's simulated clock (`2026-03-20T01:00:00Z`);
answers give both. Series are bucketed by `step` simulated seconds (default: 1,000 buckets over
the range; at most 5,000); lists are pages of `limit` rows with `next_cursor` (pass it back as
`cursor`). Reads run off the event loop. 404 when recording is off or the run is unknown; 503
while the database cannot be read.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from flask import Blueprint, Response, stream_with_context
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from backend.core.commands import SatId
from backend.core.scenario import ZONED_TIME
from backend.core.ticklog import EVENT_NAMES
from backend.history import ids
from backend.utils.errors import ApiError, json_response, not_found
from backend.utils.schema import FILE, QUERY_INT_MAX, QueryInt, QueryModel, api, name_list

from .common import svc

bp = Blueprint("runs", __name__)

# The grammars below are in the OpenAPI document as patterns, and the parsers use the same ones.
_NUMBER = r"[0-9]{1,10}(?:\.[0-9]{1,9})?"  # simulated seconds, 0 .. 1e10 (a date before year 9999)
_POSITIVE = r"(?:[1-9][0-9]{0,11}(?:\.[0-9]{1,9})?|0{1,12}\.[0-9]{0,8}[1-9][0-9]{0,8})"  # > 0
_TIME_RE = re.compile(rf"(?:{_NUMBER}|{ZONED_TIME})", re.ASCII)
_POSITIVE_RE = re.compile(_POSITIVE, re.ASCII)


def _time(value):
    """A time parameter: simulated seconds (digits, optional decimals) or an ISO 8601 date with
    Z or an offset."""
    if not isinstance(value, str):
        return value
    if not _TIME_RE.fullmatch(value):
        raise ValueError("expected simulated seconds (e.g. 3600) or an ISO 8601 date with Z or an offset "
                         "(e.g. 2026-03-20T01:00:00Z)")
    if "T" not in value:
        return float(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _seconds(value):
    if isinstance(value, str):
        if not _POSITIVE_RE.fullmatch(value):
            raise ValueError("expected a positive number of simulated seconds (e.g. 60 or 0.5)")
        return float(value)
    return value


SimTime = Annotated[float | datetime, BeforeValidator(_time),
                    WithJsonSchema({"type": "string", "pattern": f"^{_TIME_RE.pattern}$"})]
Seconds = Annotated[float, BeforeValidator(_seconds), WithJsonSchema({"type": "string", "pattern": f"^{_POSITIVE}$"})]
RunRef = Annotated[str, Field(pattern=r"^(current|[0-9]{1,12})$", examples=["current", "1"],
                              description="a run id, or current")]
TIME_DOC = "simulated seconds (3600) or ISO 8601 date (2026-03-20T01:00:00Z)"


class Range(QueryModel):
    from_: SimTime = Field(None, alias="from", description=f"start: {TIME_DOC}")
    to: SimTime = Field(None, description=f"end (default: the run's last tick): {TIME_DOC}")


class SeriesQuery(Range):
    """A time range, bucketed."""

    step: Seconds = Field(None, description="bucket width, simulated seconds > 0 (default: range / 1000)")


class RollupQuery(SeriesQuery):
    group: Literal["plane", "band"] = Field(..., description="per orbital plane, or per 10-degree latitude band")


class RunsQuery(QueryModel):
    limit: QueryInt = Field(50, ge=1, le=500, description="runs per page, newest first")
    cursor: QueryInt = Field(None, ge=0, le=QUERY_INT_MAX, description="next_cursor of the previous page")


class PageQuery(Range):
    limit: QueryInt = Field(500, ge=1, le=5000, description="rows per page")
    cursor: QueryInt = Field(None, ge=0, le=QUERY_INT_MAX,
                             description="next_cursor of the previous page (rows after it)")


class EventsQuery(PageQuery):
    kind: name_list(EVENT_NAMES, "event") = Field(None, description="comma-separated event names")
    satellite: SatId = Field(None, description="only events about this satellite")


class TasksQuery(PageQuery):
    outcome: Literal["completed", "dropped"] = None
    priority: Literal["low", "medium", "high"] = None


class ExportQuery(Range):
    table: Literal["kpis", "rollups", "samples", "events", "tasks"]
    format: Literal["csv", "parquet"] = "csv"


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class RunList(Open):
    """Recorded runs, newest first."""

    current: int | None = Field(description="the run being recorded")
    next_cursor: str | None
    runs: list[dict]


class RunDetail(Open):
    """One run: seed, scenario, config at the start and every change with its tick."""

    run_id: int
    seed: int
    config_changes: list[dict]


class Series(Open):
    """Bucketed series: `columns` maps each name to one value per bucket (sim_s and sim_date included)."""

    run_id: int
    step_s: float
    points: int
    columns: dict[str, list]


class EventPage(Open):
    run_id: int
    next_cursor: str | None
    events: list[dict]


class TaskPage(Open):
    run_id: int
    next_cursor: str | None
    tasks: list[dict]


# ---- helpers ---------------------------------------------------------------------------------

def _recorder():
    rec = svc().recorder
    if rec is None:
        raise ApiError(404, "not_found", "recording is off (HISTORY_URL=off)")
    return rec


def _read(fn):
    """fn(connection) off the event loop; database errors are 503, QueryError 400."""
    from backend.history.queries import QueryError

    rec = _recorder()

    def work():
        with rec.engine.connect() as conn:
            return fn(conn)

    try:
        return svc().rt.offload(work)
    except QueryError as exc:
        # each parameter valid, but not together (to before from, too many buckets)
        raise ApiError(409, "invalid_value", str(exc), exc.field) from None
    except sa.exc.SQLAlchemyError as exc:
        raise ApiError(503, "history_unavailable", f"the history database cannot be read: "
                       f"{str(exc).splitlines()[0][:200]}") from None


def _run_id(ref: str) -> int:
    if ref == "current":
        current = _recorder().current_run()
        if current is None:
            raise ApiError(404, "not_found", "no run is being recorded yet")
        return current
    if not re.fullmatch(r"[0-9]{1,12}", ref, re.ASCII):
        raise not_found("run", ref)
    return int(ref)


def _run(conn, ref: str, run_id: int):
    """The run `ref` names (run_id resolved beforehand, in the request's context)."""
    from backend.history import queries

    run = queries.find_run(conn, run_id)
    if run is None:
        raise not_found("run", ref)
    return run


def _sim_s(run, value) -> float | None:
    if value is None or isinstance(value, float):
        return value
    return value.timestamp() - run.epoch_unix_s


def _window(run, query: SeriesQuery):
    from backend.history import queries

    return queries.window(run, _sim_s(run, query.from_), _sim_s(run, query.to), query.step)


def _kinds(raw: str | None) -> list | None:
    return raw.split(",") if raw else None  # names checked by EventsQuery


def _satellite(conn_run, sat_id: str) -> int:
    n = ids.sat_index(sat_id)
    if n is None or n >= conn_run.n_satellites:
        raise not_found("satellite", sat_id)
    return n


# ---- routes ----------------------------------------------------------------------------------

@bp.get("/api/runs")
@api("Recorded runs, newest first (paged)", query=RunsQuery, responses={200: RunList}, errors=(404,))
def list_runs(query: RunsQuery):
    from backend.history import queries

    current = _recorder().current_run()
    return json_response(_read(lambda c: queries.list_runs(c, query.limit, query.cursor, current)))


@bp.get("/api/runs/<run_id>")
@api("One run: seed, scenario, config and its changes", path={"run_id": RunRef}, responses={200: RunDetail}, errors=(404,))
def get_run(run_id: str):
    from backend.history import queries

    current, rid = _recorder().current_run(), _run_id(run_id)
    out = _read(lambda c: queries.run_detail(c, rid, current))
    if out is None:
        raise not_found("run", run_id)
    return json_response(out)


@bp.get("/api/runs/<run_id>/kpis")
@api("Fleet KPIs over time, bucketed", query=SeriesQuery, path={"run_id": RunRef}, responses={200: Series}, errors=(404, 409))
def run_kpis(run_id: str, query: SeriesQuery):
    from backend.history import queries

    rid = _run_id(run_id)

    def read(c):
        run = _run(c, run_id, rid)
        return queries.kpis(c, run, _window(run, query))

    return json_response(_read(read))


@bp.get("/api/runs/<run_id>/rollups")
@api("Per orbital plane or latitude band over time, bucketed", query=RollupQuery, path={"run_id": RunRef},
     responses={200: Series}, errors=(404, 409))
def run_rollups(run_id: str, query: RollupQuery):
    from backend.history import queries

    rid = _run_id(run_id)

    def read(c):
        run = _run(c, run_id, rid)
        return queries.rollups(c, run, query.group, _window(run, query))

    return json_response(_read(read))


@bp.get("/api/runs/<run_id>/satellites/<sat_id>/history")
@api("One satellite's samples over time, bucketed", query=SeriesQuery, path={"run_id": RunRef, "sat_id": SatId},
     responses={200: Series}, errors=(404, 409))
def satellite_history(run_id: str, sat_id: str, query: SeriesQuery):
    from backend.history import queries

    rid = _run_id(run_id)

    def read(c):
        run = _run(c, run_id, rid)
        return queries.satellite(c, run, _satellite(run, sat_id), _window(run, query))

    return json_response(_read(read))


@bp.get("/api/runs/<run_id>/events")
@api("Every recorded event (paged, filtered)", query=EventsQuery, path={"run_id": RunRef}, responses={200: EventPage}, errors=(404, 409))
def run_events(run_id: str, query: EventsQuery):
    from backend.history import queries

    kinds, rid = _kinds(query.kind), _run_id(run_id)

    def read(c):
        run = _run(c, run_id, rid)
        sat = None if query.satellite is None else _satellite(run, query.satellite)
        return queries.events(c, run, kinds, sat, _sim_s(run, query.from_), _sim_s(run, query.to),
                              query.limit, query.cursor)

    return json_response(_read(read))


@bp.get("/api/runs/<run_id>/tasks")
@api("Final records of finished tasks (paged, filtered by finish time)", query=TasksQuery,
     path={"run_id": RunRef}, responses={200: TaskPage}, errors=(404, 409))
def run_tasks(run_id: str, query: TasksQuery):
    from backend.history import queries

    rid = _run_id(run_id)

    def read(c):
        run = _run(c, run_id, rid)
        return queries.tasks(c, run, query.outcome, query.priority, _sim_s(run, query.from_),
                             _sim_s(run, query.to), query.limit, query.cursor)

    return json_response(_read(read))


@bp.get("/api/runs/<run_id>/export")
@api("One table of a run as CSV or Parquet (streamed)", query=ExportQuery, path={"run_id": RunRef},
     responses={200: FILE}, errors=(404, 409))
def export(run_id: str, query: ExportQuery):
    from backend.history import export as ex

    rec, rid = _recorder(), _run_id(run_id)
    run = _read(lambda c: _run(c, run_id, rid))
    lo, hi = _sim_s(run, query.from_), _sim_s(run, query.to)
    pages = ex.pages(rec.engine, query.table, run.run_id, lo, hi)
    chunks = ex.csv_chunks(query.table, pages) if query.format == "csv" else ex.parquet_chunks(query.table, pages)
    name = f"run-{run.run_id}-{query.table}.{query.format}"
    mimetype = "text/csv" if query.format == "csv" else "application/vnd.apache.parquet"
    return Response(stream_with_context(chunks), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
