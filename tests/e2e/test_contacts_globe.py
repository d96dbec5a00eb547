"""Contacts on the globe in real headless Chromium (tests/e2e/contacts.e2e.mjs): orbit path,
ground track, footprint, passes, a station's cone and timeline, clickable stations and drones.
Screenshots: test-artifacts/e2e/c0*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_globe import _run_script, built_frontend, globe_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parent / "contacts.e2e.mjs"


def test_contacts_on_the_globe(globe_server):  # noqa: F811
    result = _run_script(SCRIPT, globe_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("selected satellite shows its orbit path and ground track",
                     "selected satellite shows its footprint circle", "inspector lists the next passes of the satellite",
                     "clicking a station label opens its panel", "the station panel shows a timeline of upcoming passes",
                     "the station shows its visibility cone", "clicking a pass selects its satellite",
                     "clicking a drone label opens its panel", "no console errors"):
        assert required in names, f"check {required!r} did not run"
