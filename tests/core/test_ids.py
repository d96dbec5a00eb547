"""Entity ids: the seed's spelling (1-based, zero-padded to 3 digits), one canonical form each."""

from __future__ import annotations

import numpy as np
import pytest

from backend.core.dates import iso_date, iso_dates
from backend.core.ids import format_id, format_ids, parse_id


@pytest.mark.parametrize("kind, index, text", [
    ("sat", 0, "sat-001"), ("sat", 9, "sat-010"), ("sat", 998, "sat-999"), ("sat", 999, "sat-1000"),
    ("sat", 123_455, "sat-123456"), ("battery", 0, "bat-001"), ("battery", 15, "bat-016"),
    ("station", 2, "gs-003"), ("task", 0, "task-0"), ("task", 41, "task-41"),
])
def test_format_and_parse_are_inverse(kind, index, text):
    assert format_id(kind, index) == text
    assert parse_id(kind, text) == index


@pytest.mark.parametrize("kind, text", [
    ("sat", "sat-1"), ("sat", "sat-01"), ("sat", "sat-0001"), ("sat", "sat-01000"), ("sat", "sat-000"),
    ("sat", "sat-٣٣٣"), ("sat", "sat-００３"), ("sat", "sat-003\n"), ("sat", " sat-003"), ("sat", "SAT-003"),
    ("sat", "sat-+03"), ("sat", "sat--03"), ("sat", "sat-1" + "0" * 12), ("sat", "bat-001"), ("sat", ""),
    ("sat", 3), ("sat", None), ("battery", "drone-0"), ("battery", "bat-0"), ("task", "task-01"),
    ("task", "task--1"), ("station", "gs-0"),
])
def test_only_the_canonical_spelling_parses(kind, text):
    assert parse_id(kind, text) is None


def test_format_ids_matches_format_id():
    idx = np.array([0, 5, 999, 1234])
    assert format_ids("sat", idx) == ["sat-001", "sat-006", "sat-1000", "sat-1235"]


@pytest.mark.parametrize("unix_s, text", [
    (0.0, "1970-01-01T00:00:00.000Z"),
    (1_774_008_000.0, "2026-03-20T12:00:00.000Z"),  # date(1) of 1774008000 on any POSIX system
    (1_774_008_000.1234, "2026-03-20T12:00:00.123Z"),
    (1_774_008_000.9996, "2026-03-20T12:00:01.000Z"),  # rounded to the millisecond, carried
])
def test_iso_dates(unix_s, text):
    assert iso_date(unix_s) == text
    assert iso_dates(np.array([unix_s]))[0] == text
