"""Contacts on the globe in real headless Chromium (tests/e2e/contacts.e2e.mjs): orbit path,
ground track, footprint, passes, a station's cone and timeline, clickable stations and drones.
Screenshots: test-artifacts/e2e/c0*.png."""

from __future__ import annotations

import pytest

from .runner import run_script

pytestmark = pytest.mark.e2e


def test_contacts_on_the_globe(globe_server):
    run_script("contacts.e2e.mjs", globe_server, required=(
        "selected satellite shows its orbit path and ground track",
        "selected satellite shows its footprint circle", "inspector lists the next passes of the satellite",
        "clicking a station label opens its panel", "the station panel shows a timeline of upcoming passes",
        "the station shows its visibility cone", "clicking a pass selects its satellite",
        "clicking a drone label opens its panel", "no console errors"))
