"""TLE catalogues: every layout loads, bad text names its line, SGP4 over the catalogue, TEME."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pytest
import sgp4

from backend.core import frames, tle, views
from backend.core.engine import Engine
from backend.core.scenario import Scenario
from backend.core.validation import FieldError

ONE_METRE_KM = 1e-3
ONE_CENTIMETRE_KM = 1e-5
ISS_1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS_2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"
SGP4_VER = Path(sgp4.__file__).parent / "SGP4-VER.TLE"


def test_sgp4_readme_example_in_teme_and_in_the_model_frame():
    """Reference: the sgp4 package's README, ISS at JD 2458827.362605: TEME
    (-6102.44327643, -986.33201602, -2820.31307072) km."""
    cat = tle.load_tles(f"ISS (ZARYA)\n{ISS_1}\n{ISS_2}\n")
    unix_s = (2458827.362605 - tle.UNIX_EPOCH_JD) * 86400.0
    pos, ok = tle.propagate(cat, unix_s)
    teme = np.array([[-6102.44327643, -986.33201602, -2820.31307072]])
    assert ok.tolist() == [True]
    np.testing.assert_allclose(pos, tle.teme_to_eci(teme, unix_s), atol=ONE_METRE_KM)
    # the model frame is not TEME: 0.25 deg of GMST82 - ERA in 2019 is 27.6 km at this radius
    assert np.linalg.norm(pos - teme) > 20.0


def test_teme_to_earth_fixed_matches_vallado_example():
    """Reference: Vallado, Crawford, Hujsak & Kelso, "Revisiting Spacetrack Report #3" (AIAA
    2006-6753), TEME example: 2004-04-06 07:51:28.386009 UTC, UT1 - UTC = -0.4399619 s, r_teme =
    (5094.18016210, 6127.64465950, 6380.34453270) km, r_pef = (-1033.47503130, 7901.30558560,
    6380.34453270) km. Through the model's frame (TEME -> ECI -> ECEF by the ERA): within 1 cm."""
    ut1 = calendar.timegm((2004, 4, 6, 7, 51, 28)) + 0.386009 - 0.4399619
    eci = tle.teme_to_eci(np.array([[5094.18016210, 6127.64465950, 6380.34453270]]), ut1)
    ecef = frames.eci_to_ecef(eci, frames.earth_rotation_angle_rad(ut1))
    np.testing.assert_allclose(ecef[0], [-1033.47503130, 7901.30558560, 6380.34453270], atol=ONE_CENTIMETRE_KM)


def test_sgp4_verification_catalogue_loads_and_failures_are_marked():
    """sgp4's own SGP4-VER.TLE: comments, 2-line sets, extra columns after column 69, wrong
    checksums, and sets SGP4 cannot propagate (they are not ok, NaN, never raise)."""
    cat = tle.load_tles(SGP4_VER.read_text())
    assert cat.n == 33
    pos, ok = tle.propagate(cat, cat.epoch_unix_s.max())
    assert 0 < ok.sum() < cat.n
    assert np.all(np.isfinite(pos[ok])) and np.all(np.isnan(pos[~ok]))
    radius = np.linalg.norm(pos[ok], axis=1)
    assert np.all((radius > 6000.0) & (radius < 500_000.0))  # one test case flies out to 404,000 km


@pytest.mark.parametrize("text, names", [
    (f"{ISS_1}\n{ISS_2}\n", ["tle-001"]),
    (f"ISS (ZARYA)\n{ISS_1}\n{ISS_2}\n", ["ISS (ZARYA)"]),
    (f"0 ISS (ZARYA)\r\n{ISS_1}\r\n{ISS_2}\r\n", ["ISS (ZARYA)"]),  # Space-Track 3LE, CRLF
    (f"# catalogue\n\nISS\n{ISS_1}\n{ISS_2}\n\n# second\n{ISS_1}\n{ISS_2}", ["ISS", "tle-002"]),
    (f"  ISS  \n{ISS_1}   \n{ISS_2}     0.00      4320.0        360.00\n", ["ISS"]),
])
def test_every_layout_loads(text, names):
    cat = tle.load_tles(text)
    assert cat.names == names
    assert np.all(tle.propagate(cat, cat.epoch_unix_s[0])[1])


@pytest.mark.parametrize("text, line, words", [
    ("", 1, "no TLE"),
    ("# only a comment\n\n", 2, "no TLE"),
    (f"{ISS_1}\n", 2, "line 2 of the TLE begun on line 1"),
    (f"ISS\n\n{ISS_1}\nISS again\n", 4, "line 2 of the TLE begun on line 3"),
    (f"ISS\n{ISS_1}\n{ISS_2.replace('25544', '25545')}\n", 3, "catalogue number"),
    (f"{ISS_1}\n{ISS_2}\nNAME ONLY\n", 3, "no TLE after it"),
    (f"garbage\nmore garbage\n", 2, "expected line 1"),
    (f"{ISS_1[:40]}\n{ISS_2}\n", 1, "expected line 1"),
    (f"{ISS_1}\n{ISS_2[:8]}ab.cdefg{ISS_2[16:]}\n", 2, "unreadable inclination"),
    (f"{ISS_1[:18]}2019x.69339541{ISS_1[32:]}\n{ISS_2}\n", 1, "unreadable epoch"),
])
def test_bad_text_names_its_line(text, line, words):
    with pytest.raises(tle.TleError) as err:
        tle.load_tles(text)
    assert err.value.line == line and words in str(err.value) and str(err.value).startswith(f"line {line}: ")


def test_oversized_text_is_refused():
    with pytest.raises(tle.TleError, match="bytes"):
        tle.load_tles("#" * (tle.MAX_TLE_TEXT_BYTES + 1))


# ---- a TLE catalogue as the scenario ---------------------------------------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "catalogues" / "sample.tle"


def test_the_sample_catalogue_flies_as_the_scenario():
    """catalogues/sample.tle (30 synthetic satellites and one re-entering at 160 km): positions
    are SGP4's (in the model frame) every tick, the rest of the model runs on them with the
    energy ledger closing, and the re-entering one goes out of service (not NaN)."""
    text = SAMPLE.read_text()
    cat = tle.load_tles(text)
    eng = Engine({"time_scale": 600.0}, Scenario().updated({"tle": text, "n_drones": 4}), 3)
    assert eng.sats.n == cat.n == 31 and eng.sats.in_service.all()
    eng.submit({"type": "smoke_start", "qps": 50.0, "burst": 5})
    for _ in range(60):  # 60 ticks of 60 s: an hour
        e0, l0 = eng.sats.energy_eu.sum(), dict(eng.ledger)
        eng.step()
        d = {k: eng.ledger[k] - l0[k] for k in l0}
        flows = d["solar_in"] - d["consumed"] - d["task_draw"] - d["beam_losses"] + d["drone_delivered"]
        assert abs(eng.sats.energy_eu.sum() - e0 - flows) < 1e-6
        pos, ok = tle.propagate(cat, eng.sky.epoch_unix_s + eng.sim_time)
        np.testing.assert_allclose(eng.sats.pos_eci_km[ok], pos[ok], atol=1e-9)
    lost = ~eng.sats.in_service
    assert [cat.names[i] for i in np.flatnonzero(lost)] == ["SAMPLE-REENTRY"]
    assert np.all(np.isfinite(eng.sats.pos_eci_km)) and eng.sats.blackout[lost].all()
    assert eng.sats.sun_fraction[lost].tolist() == [0.0] and eng.book.counters()["completed"] > 0
    snap = views.satellite(eng, int(np.flatnonzero(lost)[0]))
    assert snap["in_service"] is False and snap["blackout"] is True


def test_a_bad_catalogue_is_refused_with_its_line():
    with pytest.raises(FieldError) as err:
        Scenario().updated({"tle": f"ISS\n{ISS_1}\nnot line 2\n"})
    assert err.value.field == "scenario.tle" and "line 3" in str(err.value)
