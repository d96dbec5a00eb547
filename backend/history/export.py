"""Streamed exports of one run's table as CSV or Parquet (pyarrow), page by page.

The rows are read in pages of PAGE_ROWS in key order (keyset paging: each page starts after the
previous page's last key, so no query holds a cursor open between chunks) and each page becomes
a chunk of CSV text or a Parquet row group: memory stays at one page whatever the run's size.
"""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from . import schema

PAGE_ROWS = 50_000
TABLES = schema.RECORD_TABLES
KEYS = {name: tuple(c.name for c in schema.metadata.tables[name].primary_key.columns if c.name != "run_id")
        for name in TABLES}  # each table's key order: pages read straight down its B-tree
TIME_COLUMN = {"kpis": "sim_s", "rollups": "sim_s", "samples": "sim_s", "events": "sim_s", "tasks": "finished_s"}


def _arrow_type(col: sa.Column) -> pa.DataType:
    if isinstance(col.type, sa.Integer):
        return pa.int64()
    if isinstance(col.type, sa.Float):
        return pa.float64()
    return pa.string()


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, _arrow_type(c), nullable=True) for c in schema.metadata.tables[table].columns])


def pages(engine: sa.Engine, table: str, run_id: int, from_s: float | None, to_s: float | None):
    """Lists of row tuples, PAGE_ROWS at most each, in key order."""
    t = schema.metadata.tables[table]
    keys = [t.c[k] for k in KEYS[table]]
    cond = [t.c.run_id == run_id]
    if from_s is not None:
        cond.append(t.c[TIME_COLUMN[table]] >= from_s)
    if to_s is not None:
        cond.append(t.c[TIME_COLUMN[table]] <= to_s)
    after = None
    while True:
        stmt = sa.select(t).where(*cond).order_by(*keys).limit(PAGE_ROWS)
        if after is not None:
            stmt = stmt.where(sa.tuple_(*keys) > sa.tuple_(*after))
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        if len(rows) < PAGE_ROWS:
            return
        last = rows[-1]
        names = [c.name for c in t.columns]
        after = [last[names.index(k)] for k in KEYS[table]]


def csv_chunks(table: str, page_iter):
    """CSV text: a header, then each page; NULL is an empty field."""
    names = [c.name for c in schema.metadata.tables[table].columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    yield buf.getvalue()
    for rows in page_iter:
        buf.seek(0)
        buf.truncate()
        writer.writerows(rows)
        yield buf.getvalue()


class _Sink(io.RawIOBase):
    """A write-only file that hands over what was written since the last `take()`."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def parquet_chunks(table: str, page_iter):
    """A Parquet file: one row group per page."""
    sch = arrow_schema(table)
    sink = _Sink()
    writer = pq.ParquetWriter(sink, sch, compression="zstd")
    for rows in page_iter:
        columns = list(zip(*rows))
        writer.write_table(pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, sch)],
                                                schema=sch))
        yield sink.take()
    writer.close()
    yield sink.take()
