"""The database: open (SQLite file or PostgreSQL URL), migrate, write batches, trim.

`HISTORY_URL`: `off` disables recording; a path or `sqlite:///path` is a SQLite file (WAL,
created with its folder on first start); `postgresql://user@host:port/db` uses psycopg 3.
Writes go through the driver: SQLite `executemany` in one transaction, PostgreSQL `COPY ...
FROM STDIN` (psycopg's copy protocol), both per flush. No connection pool (NullPool): the writer
thread and each query open their own, so no lock is shared between OS threads and greenlets.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from . import native, schema
from .urls import database_url  # noqa: F401  (re-exported)
from .block import PG_HEADER, PG_TRAILER, ColumnBlock
from .rows import COLUMNS

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CHUNK_ROWS = 500  # rows per insert call (~2 ms of writer time): a step that starts waits at most that long for the writer to step aside


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; a crash keeps commits
    cur.execute("PRAGMA synchronous=NORMAL")  # durable against a process crash (not power loss) in WAL
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: the samples index takes 10,000 inserts a tick
    cur.close()


def open_engine(url: str, timeout_s: float = 5.0) -> sa.Engine:
    """An Engine without a pool; a SQLite file's folder is created."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        eng = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": timeout_s,
                                                                       "check_same_thread": False})
        sa.event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    return sa.create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": max(1, int(timeout_s))})


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


_MIGRATING = native.lock()  # Alembic's `context` is module-global: one migration at a time per process


def migrate_connection(conn: sa.Connection) -> None:
    """Bring the schema to the newest Alembic revision (creates the tables on first start)."""
    from alembic import command

    logging.getLogger("alembic").setLevel(logging.WARNING)  # no per-start INFO lines
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    with _MIGRATING:
        command.upgrade(cfg, "head")


def migrate(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        migrate_connection(conn)


def is_postgres(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _no_pause() -> None:
    return None


def write(conn: sa.Connection, table: str, rows, pause=_no_pause) -> None:
    """Insert rows through the driver: tuples in COLUMNS[table] order, or ColumnBlocks, in
    chunks of CHUNK_ROWS with pause() called before each (the recorder steps aside for a tick)."""
    if not rows:
        return
    cols = COLUMNS[table]
    dbapi = conn.connection.dbapi_connection
    blocks = [r for r in rows if isinstance(r, ColumnBlock)]
    pg = conn.dialect.name == "postgresql"
    if blocks:
        pause()
        key = [c.name for c in schema.metadata.tables[table].primary_key.columns]
        block = ColumnBlock.concat(blocks).sorted_by(key)
        chunks = (block.rows(k, k + CHUNK_ROWS) for k in range(0, len(block), CHUNK_ROWS))
        if pg:
            _copy_binary(dbapi, table, cols, chunks, pause)
        else:
            _insert(dbapi, table, cols, (chunk.tuples(cols) for chunk in chunks), pause)
        return
    chunks = (rows[k:k + CHUNK_ROWS] for k in range(0, len(rows), CHUNK_ROWS))
    if pg:
        with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for chunk in chunks:
                pause()
                for row in chunk:
                    copy.write_row(row)
        return
    _insert(dbapi, table, cols, chunks, pause)


def _insert(dbapi, table: str, cols, chunks, pause) -> None:
    """SQLite: one executemany per chunk of tuples, in the caller's transaction."""
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    cur = dbapi.cursor()
    try:
        for chunk in chunks:
            pause()
            cur.executemany(sql, chunk)
    finally:
        cur.close()


def _copy_binary(dbapi, table: str, cols, blocks, pause) -> None:
    t = schema.metadata.tables[table]
    with dbapi.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(PG_HEADER)
        for block in blocks:
            pause()
            copy.write(block.pg_binary(t, cols))
        copy.write(PG_TRAILER)


def used_bytes(conn: sa.Connection) -> int:
    """Bytes the recorded data occupies. SQLite: pages in use (freed pages excluded, exact).
    PostgreSQL: each table with its indexes times its share of live rows (the files shrink only
    on VACUUM FULL; the row counts are the statistics collector's, updated after commits)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(f"'{t}'" for t in schema.metadata.tables)
        return int(conn.exec_driver_sql(
            f"SELECT coalesce(sum(pg_total_relation_size(relid) * n_live_tup::float8 "
            f"/ greatest(n_live_tup + n_dead_tup, 1)), 0) FROM pg_stat_user_tables "
            f"WHERE relname IN ({names})").scalar())
    pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    free = conn.exec_driver_sql("PRAGMA freelist_count").scalar()
    size = conn.exec_driver_sql("PRAGMA page_size").scalar()
    return int((pages - free) * size)
