"""Rows held as columns (numpy arrays), for the big fixed-width tables (per-satellite samples).

A `ColumnBlock` is N rows of non-null numeric values: SQLite gets them as tuples, PostgreSQL as
one buffer in COPY's binary format built with a numpy structured array (no Python per row).
A flush's blocks are written as one, in primary-key order (store.write).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + np.array([0, 0], ">i4").tobytes()  # signature, flags, no extension
PG_TRAILER = np.array([-1], ">i2").tobytes()


def _pg_dtype(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, sa.SmallInteger):
        return ">i2"
    if isinstance(kind, sa.BigInteger):
        return ">i8"
    if isinstance(kind, sa.Integer):
        return ">i4"
    if isinstance(kind, sa.Float):
        return ">f8"
    raise TypeError(f"{column.name}: binary COPY handles numbers only, not {kind}")


@dataclass
class ColumnBlock:
    """Columns by name, each an (N,) array or a scalar repeated N times."""

    n: int
    columns: dict

    def __len__(self) -> int:
        return self.n

    def with_value(self, name: str, value) -> "ColumnBlock":
        return ColumnBlock(self.n, {**self.columns, name: value})

    def _column(self, name: str):
        value = self.columns[name]
        return value if isinstance(value, np.ndarray) else np.full(self.n, value)

    @classmethod
    def concat(cls, blocks: list) -> "ColumnBlock":
        """One block of the blocks' rows, in order (every block has the same columns)."""
        if len(blocks) == 1:
            return blocks[0]
        names = blocks[0].columns
        return cls(sum(b.n for b in blocks), {name: np.concatenate([b._column(name) for b in blocks]) for name in names})

    def sorted_by(self, names) -> "ColumnBlock":
        """The rows ordered by the columns `names` (the first one major): a table's key, so a
        B-tree takes them in order rather than at one place each."""
        order = np.lexsort([self._column(name) for name in reversed(names)])
        return ColumnBlock(self.n, {name: self._column(name)[order] for name in self.columns})

    def rows(self, start: int, stop: int) -> "ColumnBlock":
        """Rows start to stop-1 (the writer's chunks)."""
        return ColumnBlock(max(0, min(stop, self.n) - start),
                           {name: self._column(name)[start:stop] for name in self.columns})

    def tuples(self, names) -> list[tuple]:
        return list(zip(*(self._column(name).tolist() for name in names)))

    def pg_binary(self, table: sa.Table, names) -> bytes:
        """The rows as tuples of PostgreSQL's binary COPY format (between PG_HEADER and PG_TRAILER)."""
        fields = [("count", ">i2")]
        for k, name in enumerate(names):
            fields += [(f"len{k}", ">i4"), (f"val{k}", _pg_dtype(table.c[name]))]
        rec = np.empty(self.n, dtype=fields)
        rec["count"] = len(names)
        for k, name in enumerate(names):
            rec[f"len{k}"] = rec.dtype[f"val{k}"].itemsize
            rec[f"val{k}"] = self._column(name)
        return rec.tobytes()
