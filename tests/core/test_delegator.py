"""TaskDelegator against a plain sequential brute force (loop over tasks, all satellites)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.constants import EARTH_RADIUS_KM
from backend.core.delegator import SatLoad, TaskBatch, delegate
from backend.core.dense import delegate_dense
from backend.core.params import SimConfig

R = EARTH_RADIUS_KM
PF = (0.0, 0.5, 1.0)


# ---- the reference: the module docstring's definition, one task at a time -------------------


def reference(tasks: TaskBatch, sats: SatLoad, cfg):
    """Sequential brute force; mutates sats like delegate() does."""
    out_i = np.full(len(tasks.energy_need), -1, dtype=np.int64)
    out_s = np.full(len(tasks.energy_need), np.nan)
    for k in range(len(tasks.energy_need)):
        score = ref_scores(tasks, k, sats, cfg)
        best = int(np.argmax(score))  # first maximum: ties go to the lowest index
        if score[best] > -np.inf:
            out_i[k], out_s[k] = best, score[best]
            sats.n_tasks[best] += 1
            sats.committed_eu[best] += tasks.energy_need[k]
            sats.backlog_work[best] += tasks.work[k]
    return out_i, out_s


def ref_scores(tasks, k, s, cfg):
    """Score of task k on every satellite, -inf where ineligible."""
    p = s.pos_ecef_km
    avail = s.energy_eu - s.committed_eu
    backlog_s = s.backlog_work / s.processing_capacity
    base = (cfg.w1 * np.clip(avail / s.max_energy_eu, 0.0, 1.0)
            + cfg.w2 * np.clip(1.0 - backlog_s / cfg.max_backlog_s, 0.0, 1.0)
            + cfg.w3 * (1.0 - s.n_tasks / cfg.max_queue))
    head = avail - tasks.energy_need[k]
    ok = ~s.blackout & (head >= (cfg.energy_margin_pct / 100.0) * s.max_energy_eu)
    ok &= s.n_tasks < cfg.max_queue
    ok &= backlog_s + tasks.work[k] / s.processing_capacity <= cfg.max_backlog_s
    dcost = 0.0
    if tasks.has_origin[k]:
        o = tasks.origin_ecef_km[k]
        dx, dy, dz = p[:, 0] - o[0], p[:, 1] - o[1], p[:, 2] - o[2]
        rng = np.sqrt(dx * dx + dy * dy + dz * dz)
        horizon = np.sqrt((p[:, 0] * p[:, 0] + p[:, 1] * p[:, 1] + p[:, 2] * p[:, 2]) - R * R)
        dcost = rng / horizon
        on = math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2])
        up = (o[0] / on, o[1] / on, o[2] / on)
        ok &= up[0] * dx + up[1] * dy + up[2] * dz >= math.sin(math.radians(cfg.min_elevation_deg)) * rng
    boost = PF[int(tasks.priority[k])] * np.clip(head / s.max_energy_eu, 0.0, 1.0)
    score = base - cfg.w4 * dcost + cfg.w5 * boost
    return np.where(ok, score, -np.inf)


# ---- builders --------------------------------------------------------------------------------


def unit(rng, n):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1)[:, None]


def make_sats(rng, n, alt_km=(550.0, 550.0), quantised=False, full=False):
    """Random constellation state; quantised values make exact score ties common."""
    alt = rng.uniform(*alt_km, size=n)
    maxe = rng.choice([100.0, 200.0], size=n) if quantised else rng.uniform(50, 500, n)
    frac = rng.choice([0.5, 1.0], size=n) if quantised else rng.uniform(0, 1, n)
    energy = maxe if full else maxe * frac
    cap = np.full(n, 10.0) if quantised else rng.uniform(1, 20, n)
    n_tasks = rng.integers(0, 9, n).astype(np.int32)
    committed = np.zeros(n) if quantised else energy * rng.uniform(0, 0.5, n)
    backlog = np.zeros(n) if quantised else rng.uniform(0, 300, n) * cap * rng.uniform(0, 1, n)
    return SatLoad(unit(rng, n) * (R + alt)[:, None], energy, maxe, committed, backlog, cap,
                   n_tasks, rng.uniform(size=n) < 0.1)


def make_tasks(rng, t, p_origin=0.9, quantised=False):
    need = rng.choice([5.0, 10.0], size=t) if quantised else rng.uniform(0, 40, t)
    work = rng.choice([10.0, 20.0], size=t) if quantised else rng.uniform(1, 500, t)
    return TaskBatch(unit(rng, t) * R, rng.uniform(size=t) < p_origin, need, work,
                     rng.integers(0, 3, t).astype(np.int8))


def copy_sats(s: SatLoad) -> SatLoad:
    return s.copy()


def assert_same(tasks, sats, cfg, fn=delegate):
    """fn (delegate() by default) equals the reference in choices, scores and final satellite load."""
    a, b = copy_sats(sats), copy_sats(sats)
    got_i, got_s = fn(tasks, a, cfg)
    ref_i, ref_s = reference(tasks, b, cfg)
    np.testing.assert_array_equal(got_i, ref_i)
    np.testing.assert_allclose(got_s, ref_s, rtol=0, atol=1e-12, equal_nan=True)
    for f in ("n_tasks", "committed_eu", "backlog_work"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert got_i.dtype == np.int64 and got_s.dtype == np.float64
    return got_i, got_s


# ---- equivalence -----------------------------------------------------------------------------

CASES = [  # n_sats, n_tasks, p_origin, quantised, config
    (1, 5, 1.0, False, {}),
    (7, 40, 0.5, False, {}),
    (50, 200, 0.9, False, {"max_queue": 3}),
    (300, 400, 0.9, True, {}),
    (2000, 500, 0.95, False, {}),
    (2000, 500, 0.0, False, {}),
    (3000, 300, 1.0, False, {"min_elevation_deg": 25.0}),
    (3000, 300, 1.0, False, {"min_elevation_deg": -30.0}),
    (20000, 500, 0.98, False, {}),
]


@pytest.mark.parametrize("n_sats, n_tasks, p_origin, quantised, conf", CASES)
def test_matches_reference(n_sats, n_tasks, p_origin, quantised, conf):
    rng = np.random.default_rng(n_sats * 7 + n_tasks)
    sats = make_sats(rng, n_sats, quantised=quantised)
    assert_same(make_tasks(rng, n_tasks, p_origin, quantised), sats, SimConfig(conf))


@pytest.mark.parametrize("n_sats, n_tasks, p_origin, quantised, conf", [c for c in CASES if c[0] * c[1] <= 1 << 20])
def test_dense_walk_matches_reference(n_sats, n_tasks, p_origin, quantised, conf):
    """The candidate-pair walk (used for saturated rounds) gives the same bits."""
    rng = np.random.default_rng(n_sats * 7 + n_tasks)
    sats = make_sats(rng, n_sats, quantised=quantised)
    assert_same(make_tasks(rng, n_tasks, p_origin, quantised), sats, SimConfig(conf), delegate_dense)


@pytest.mark.parametrize("seed", range(6))
def test_dense_walk_with_given_pairs_ties_and_saturation(seed):
    """Quantised values (ties everywhere), few free slots, candidate pairs given as a superset of
    the eligible ones (random extra pairs, shuffled): the same choices as the reference."""
    rng = np.random.default_rng(seed + 400)
    sats = make_sats(rng, 60, quantised=seed % 2 == 0)
    sats.n_tasks[:] = np.where(rng.uniform(size=60) < 0.7, 8, sats.n_tasks)
    tasks = make_tasks(rng, 300, 0.8, quantised=seed % 2 == 0)
    k, g = np.repeat(np.arange(300), 60), np.tile(np.arange(60), 300)
    order = rng.permutation(len(k))
    pairs = (k[order], g[order])

    def fn(t, s, cfg):
        return delegate_dense(t, s, cfg, pairs)

    assert_same(tasks, sats, SimConfig({"w3": [0.2, 0.0][seed % 2]}), fn)


def test_matches_reference_when_all_satellites_are_equal():
    """Full batteries, empty queues: every upper bound ties; ties go to the lowest index."""
    rng = np.random.default_rng(3)
    sats = make_sats(rng, 1500, full=True)
    sats.n_tasks[:] = 0
    sats.committed_eu[:] = 0.0
    sats.backlog_work[:] = 0.0
    sats.max_energy_eu[:] = 100.0
    sats.energy_eu[:] = 100.0
    sats.processing_capacity[:] = 10.0
    sats.blackout[:] = False
    assert_same(make_tasks(rng, 400, 0.7, quantised=True), sats, SimConfig())


def test_matches_reference_with_clustered_origins():
    """Many tasks from one city: prefixes run out and the rescan path is exercised."""
    rng = np.random.default_rng(5)
    sats = make_sats(rng, 4000)
    tasks = make_tasks(rng, 600, 1.0)
    city = np.array([R * math.cos(0.6), 0.0, R * math.sin(0.6)])
    tasks.origin_ecef_km[:] = city + rng.normal(scale=20.0, size=(600, 3))
    tasks.origin_ecef_km *= R / np.linalg.norm(tasks.origin_ecef_km, axis=1)[:, None]
    i, _ = assert_same(tasks, sats, SimConfig({"max_queue": 20}))
    assert (i >= 0).sum() > 100


def test_mixed_altitudes():
    rng = np.random.default_rng(11)
    sats = make_sats(rng, 3000, alt_km=(300.0, 2000.0))
    assert_same(make_tasks(rng, 300, 0.9), sats, SimConfig())


weights = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_sats=st.integers(1, 400), n_tasks=st.integers(0, 120),
       p_origin=st.sampled_from([0.0, 0.5, 1.0]), quantised=st.booleans(),
       w=st.tuples(weights, weights, weights, weights, weights),
       margin=st.sampled_from([0.0, 5.0, 50.0]), max_queue=st.integers(1, 10),
       elev=st.sampled_from([-10.0, 0.0, 10.0, 45.0]))
def test_hypothesis_matches_reference(seed, n_sats, n_tasks, p_origin, quantised, w, margin,
                                      max_queue, elev):
    rng = np.random.default_rng(seed)
    cfg = SimConfig({"w1": w[0], "w2": w[1], "w3": w[2], "w4": w[3], "w5": w[4],
                     "energy_margin_pct": margin, "max_queue": max_queue, "min_elevation_deg": elev})
    sats = make_sats(rng, n_sats, alt_km=(400.0, 1200.0), quantised=quantised)
    assert_same(make_tasks(rng, n_tasks, p_origin, quantised), sats, cfg)


# ---- eligibility rules, one by one -------------------------------------------------------------


def two_sats(**over):
    """Satellite 0 is the better one overhead; each test breaks one of its rules."""
    pos = np.array([[R + 550.0, 0.0, 0.0], [R + 550.0, 300.0, 0.0]])
    f = dict(pos_ecef_km=pos, energy_eu=np.array([90.0, 60.0]), max_energy_eu=np.array([100.0, 100.0]),
             committed_eu=np.zeros(2), backlog_work=np.zeros(2), processing_capacity=np.array([10.0, 10.0]),
             n_tasks=np.zeros(2, dtype=np.int32), blackout=np.zeros(2, dtype=bool))
    for key, (i, v) in over.items():
        f[key][i] = v
    return SatLoad(**f)


def one_task(need=10.0, work=100.0, priority=0, origin=(R, 0.0, 0.0)):
    xyz = (0.0, 0.0, 0.0) if origin is None else origin  # ignored without origin
    return TaskBatch(np.array([xyz]), np.array([origin is not None]), np.array([need]),
                     np.array([work]), np.array([priority], dtype=np.int8))


@pytest.mark.parametrize("broken", [
    {"blackout": (0, True)},
    {"energy_eu": (0, 14.9)},  # 14.9 - 10 EU left < 5 % of 100 EU
    {"committed_eu": (0, 85.1)},  # same, through energy already promised
    {"n_tasks": (0, 8)},  # queue full (max_queue 8)
    {"backlog_work": (0, 2901.0)},  # 290.1 s + 10 s of work > 300 s
    {"pos_ecef_km": (0, np.array([-(R + 550.0), 0.0, 0.0]))},  # below the origin's horizon
])
def test_each_eligibility_rule(broken):
    assert delegate(one_task(), two_sats(), SimConfig())[0][0] == 0
    assert delegate(one_task(), two_sats(**broken), SimConfig())[0][0] == 1


@pytest.mark.parametrize("field, value, eligible", [
    ("energy_eu", 15.0, True),  # 15 - 10 == 5 % of 100: inclusive
    ("energy_eu", 14.999, False),
    ("backlog_work", 2900.0, True),  # 290 s + 10 s == 300 s: inclusive
    ("backlog_work", 2900.1, False),
    ("n_tasks", 7, True),
    ("n_tasks", 8, False),
])
def test_eligibility_boundaries(field, value, eligible):
    sats = two_sats(blackout=(1, True), **{field: (0, value)})
    idx, score = delegate(one_task(), sats, SimConfig())
    assert idx[0] == (0 if eligible else -1)
    assert math.isnan(score[0]) != eligible


def test_below_horizon_means_no_satellite():
    sats = two_sats()
    sats.pos_ecef_km[:, 0] *= -1.0
    idx, score = delegate(one_task(), sats, SimConfig())
    assert idx[0] == -1 and math.isnan(score[0])
    idx, _ = delegate(one_task(origin=None), sats, SimConfig())  # no origin: anywhere
    assert idx[0] == 0


def test_min_elevation_excludes_low_satellites():
    sats = two_sats()
    sats.pos_ecef_km[0] = [R + 550.0, 2000.0, 0.0]  # about 15 deg elevation
    sats.pos_ecef_km[1] = [R + 550.0, 100.0, 0.0]
    assert delegate(one_task(), copy_sats(sats), SimConfig())[0][0] == 0
    assert delegate(one_task(), sats, SimConfig({"min_elevation_deg": 30.0}))[0][0] == 1


def test_priority_boost_changes_the_choice():
    """Same origin: a low task takes the short queue, a high task the energy headroom."""
    pos = np.array([[R + 550.0, 0.0, 0.0], [R + 550.0, 0.0, 0.0]])
    sats = SatLoad(pos, np.array([100.0, 40.0]), np.array([100.0, 100.0]), np.zeros(2), np.zeros(2),
                   np.array([10.0, 10.0]), np.array([4, 0], dtype=np.int32), np.zeros(2, dtype=bool))
    cfg = SimConfig({"w1": 0.0, "w2": 0.0, "w3": 0.2, "w4": 0.0, "w5": 1.0})
    low = delegate(one_task(priority=0), copy_sats(sats), cfg)[0][0]
    high = delegate(one_task(priority=2), copy_sats(sats), cfg)[0][0]
    assert (low, high) == (1, 0)


def test_given_order_is_honoured():
    """The first task in the batch gets the best satellite, whatever its priority."""
    sats = two_sats()
    cfg = SimConfig({"max_queue": 1})
    tasks = TaskBatch(np.array([[R, 0.0, 0.0]] * 2), np.array([True, True]), np.array([10.0, 10.0]),
                      np.array([100.0, 100.0]), np.array([0, 2], dtype=np.int8))
    idx, _ = delegate(tasks, copy_sats(sats), cfg)
    assert list(idx) == [0, 1]
    flipped = TaskBatch(tasks.origin_ecef_km, tasks.has_origin, tasks.energy_need, tasks.work,
                        tasks.priority[::-1].copy())
    assert list(delegate(flipped, sats, cfg)[0]) == [0, 1]


def test_updates_land_in_the_given_arrays():
    sats = two_sats()
    n_tasks = sats.n_tasks
    delegate(one_task(need=7.0, work=30.0), sats, SimConfig())
    assert n_tasks[0] == 1 and sats.committed_eu[0] == 7.0 and sats.backlog_work[0] == 30.0


def test_empty_inputs():
    idx, score = delegate(make_tasks(np.random.default_rng(0), 0), two_sats(), SimConfig())
    assert idx.shape == (0,) and score.shape == (0,)
    rng = np.random.default_rng(1)
    sats = make_sats(rng, 5)
    sats.blackout[:] = True
    idx, score = delegate(make_tasks(rng, 4), sats, SimConfig())
    assert (idx == -1).all() and np.isnan(score).all()


@pytest.mark.parametrize("field, bad", [("energy_need", -1.0), ("work", np.nan)])
def test_rejects_negative_or_nan_needs(field, bad):
    tasks = one_task()
    getattr(tasks, field)[0] = bad
    with pytest.raises(ValueError, match=field):
        delegate(tasks, two_sats(), SimConfig())


def test_origins_at_poles_and_on_the_antimeridian():
    """The cell grid's wrap-around and polar caps miss no visible satellite."""
    rng = np.random.default_rng(17)
    sats = make_sats(rng, 5000, alt_km=(500.0, 1200.0))
    lat = np.radians([90.0, -90.0, 89.9, -75.0, 0.0, 0.0, 40.0, -40.0, 66.0])
    lon = np.radians([0.0, 0.0, 180.0, -180.0, 180.0, -179.99, 179.9, -179.9, 180.0])
    origin = R * np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    t = len(lat)
    tasks = TaskBatch(origin, np.ones(t, bool), np.full(t, 5.0), np.full(t, 50.0), np.zeros(t, np.int8))
    i, _ = assert_same(tasks, sats, SimConfig())
    assert (i >= 0).all()


def test_conflict_paths_are_exercised(monkeypatch):
    """Clustered tasks take the prefix-exhausted path (fresh prefixes) and still match."""
    import backend.core.delegator as dmod

    calls = []
    real = dmod._prefixes
    monkeypatch.setattr(dmod, "_prefixes", lambda c, lo, hi: calls.append(lo) or real(c, lo, hi))
    rng = np.random.default_rng(23)
    sats = make_sats(rng, 3000)
    tasks = make_tasks(rng, 400, 1.0)
    tasks.origin_ecef_km[:] = [R, 0.0, 0.0]
    assert_same(tasks, sats, SimConfig({"max_queue": 50}))
    assert len(calls) > 1


# ---- saturation: exact pre-filters and the early stop ------------------------------------------


def test_saturated_constellation_stops_early_and_matches(monkeypatch):
    """Few free queue slots, many tasks: the walk stops once no satellite is open."""
    import backend.core.delegator as dmod

    rng = np.random.default_rng(29)
    sats = make_sats(rng, 300)
    sats.n_tasks[:] = 8
    sats.n_tasks[rng.choice(300, 40, replace=False)] = 7  # 40 free slots in all
    decided = []
    real = dmod._decide
    monkeypatch.setattr(dmod, "_decide", lambda c, p, k, last: decided.append(k) or real(c, p, k, last))
    i, _ = assert_same(make_tasks(rng, 5000, 0.9), sats, SimConfig())
    assert 0 < (i >= 0).sum() <= 40
    assert max(decided) < 4000  # everything after the last open satellite closed is skipped


def test_tasks_too_big_for_every_satellite_are_never_scored(monkeypatch):
    """Needs above every satellite's headroom or backlog room: -1 without a scored pair."""
    import backend.core.delegator as dmod

    rng = np.random.default_rng(31)
    sats = make_sats(rng, 2000)
    tasks = make_tasks(rng, 600, 0.8)
    big_e, big_w = np.arange(0, 600, 3), np.arange(1, 600, 3)
    tasks.energy_need[big_e] = 1e4  # more than any max_energy (<= 500)
    tasks.work[big_w] = 1e6  # more than 300 s at any capacity (<= 20)
    scored = []
    real = dmod._score_pairs
    monkeypatch.setattr(dmod, "_score_pairs", lambda c, g, k, o: scored.append(k.copy()) or real(c, g, k, o))
    i, _ = assert_same(tasks, sats, SimConfig())
    assert (i[big_e] == -1).all() and (i[big_w] == -1).all() and (i >= 0).sum() > 100
    seen = np.concatenate(scored)
    assert not np.isin(seen, np.concatenate([big_e, big_w])).any()


def test_satellites_closing_on_energy_mid_walk():
    """Small headroom: satellites close after one or two tasks; choices still match."""
    rng = np.random.default_rng(37)
    sats = make_sats(rng, 1500)
    sats.committed_eu[:] = 0.0
    sats.energy_eu[:] = sats.max_energy_eu * rng.uniform(0.05, 0.2, 1500)
    assert_same(make_tasks(rng, 1500, 0.9), sats, SimConfig())


@pytest.mark.parametrize("chunk, window", [(7, 3), (50, 64), (1, 1)])
def test_chunked_prefixes_match(monkeypatch, chunk, window):
    """Prefixes computed a few tasks at a time, on the state the walk has reached."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_CHUNK", chunk)
    monkeypatch.setattr(dmod, "_WINDOW", window)
    rng = np.random.default_rng(41)
    sats = make_sats(rng, 1000)
    assert_same(make_tasks(rng, 300, 0.8), sats, SimConfig({"max_queue": 9}))


@pytest.mark.parametrize("margin", [0.0, 1e-3, 0.3])
def test_search_margins_do_not_change_choices(monkeypatch, margin):
    """Pilot and theta margins only trade work for re-prefixes."""
    import backend.core.delegator as dmod

    for name in ("_THETA_MARGIN", "_KEEP_MARGIN", "_PILOT_DELTA", "_STOP_MARGIN"):
        monkeypatch.setattr(dmod, name, margin)
    rng = np.random.default_rng(43)
    sats = make_sats(rng, 3000, alt_km=(400.0, 1500.0))
    assert_same(make_tasks(rng, 400, 0.9), sats, SimConfig())


def test_brute_force_fallback_matches(monkeypatch):
    """The last-resort path (a prefix that runs out twice) is exact too."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_decide", lambda c, p, k, last: (-2, math.nan))
    rng = np.random.default_rng(47)
    sats = make_sats(rng, 500)
    assert_same(make_tasks(rng, 200, 0.7), sats, SimConfig({"max_queue": 9}))


# ---- the radix sort, the Python-float walk state and stressed search parameters -----------------


@pytest.mark.parametrize("seed", range(6))
def test_radix_order_equals_lexsort(seed):
    """(k asc, score desc, index asc) like np.lexsort, with ties, signed zeros, infinities
    and indices past 16 bits (several digit passes)."""
    from backend.core.delegator import _desc_key, _radix_order

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5000))
    k = rng.integers(0, int(rng.integers(1, 3000)), n)
    g = rng.integers(0, int(rng.integers(1, 300_000)), n)
    pool = np.array([0.0, -0.0, 0.25, -0.25, 1e-300, -1e-300, np.inf, -np.inf, 0.1 + 0.2, 0.3])
    sc = [rng.normal(size=n), np.round(rng.normal(size=n), 1), rng.choice(pool, n)][seed % 3]
    got = _radix_order([(k, int(k.max()) + 1), (_desc_key(sc), 1 << 64), (g, int(g.max()) + 1)])
    want = np.lexsort((g, -sc, k))
    for a in (k, sc, g):
        np.testing.assert_array_equal(a[got], a[want])
    assert len(_radix_order([(np.zeros(0, np.int64), 1)])) == 0


@pytest.mark.parametrize("seed", range(8))
def test_random_mid_size_batches(seed):
    """Random constellations and batches, mixed altitudes, some origins missing."""
    rng = np.random.default_rng(1000 + seed)
    sats = make_sats(rng, int(rng.integers(500, 6000)), alt_km=(400.0, 1400.0), quantised=seed % 4 == 3)
    tasks = make_tasks(rng, int(rng.integers(50, 900)), [1.0, 0.9, 0.0, 0.5][seed % 4], seed % 4 == 3)
    assert_same(tasks, sats, SimConfig({"max_queue": int(rng.integers(2, 12))}))


@pytest.mark.parametrize("seed, cities, spread_km", [(0, 1, 5.0), (1, 3, 100.0), (2, 8, 400.0)])
def test_several_clustered_cities(seed, cities, spread_km):
    """Tasks from a few cities: long conflict chains, many re-prefixes, satellites closing."""
    rng = np.random.default_rng(2000 + seed)
    sats = make_sats(rng, 3000)
    tasks = make_tasks(rng, 700, 1.0)
    centre = unit(rng, cities) * R
    o = centre[rng.integers(0, cities, 700)] + rng.normal(scale=spread_km, size=(700, 3))
    tasks.origin_ecef_km[:] = o * (R / np.linalg.norm(o, axis=1))[:, None]
    i, _ = assert_same(tasks, sats, SimConfig({"max_queue": 12}))
    assert (i >= 0).sum() > 100


@pytest.mark.parametrize("n_sats", [1, 2, 3])
def test_tiny_constellations_many_tasks(n_sats):
    """More tasks than slots: the few satellites fill up and close mid-walk."""
    rng = np.random.default_rng(50 + n_sats)
    sats = make_sats(rng, n_sats, alt_km=(20000.0, 20000.0))  # high orbit: visible from half the globe
    sats.blackout[:] = False
    assert_same(make_tasks(rng, 300, 0.7), sats, SimConfig({"max_queue": 9}))


def test_ties_everywhere_with_short_prefixes(monkeypatch):
    """Equal satellites and quantised tasks with one-entry prefixes: every tie and every
    run-out goes through the window re-prefix and the index tie-break."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_PREFIX_MAX", 1)
    monkeypatch.setattr(dmod, "_WINDOW", 3)
    rng = np.random.default_rng(61)
    sats = make_sats(rng, 800, full=True, quantised=True)
    sats.blackout[:] = False
    assert_same(make_tasks(rng, 300, 0.8, quantised=True), sats, SimConfig())


@pytest.mark.parametrize("k_max", [1, 2, 5])
def test_short_prefixes_match(monkeypatch, k_max):
    """Short prefixes: the first omitted entry becomes the bound; run-outs re-prefix."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_PREFIX_MAX", k_max)
    rng = np.random.default_rng(67 + k_max)
    sats = make_sats(rng, 2500)
    tasks = make_tasks(rng, 400, 0.9)
    tasks.origin_ecef_km[::2] = tasks.origin_ecef_km[0]  # half the batch from one place
    assert_same(tasks, sats, SimConfig({"max_queue": 10}))


def test_consecutive_calls_continue_from_the_written_back_state():
    """The walk's Python-float state reaches the arrays: calls chained on the same arrays
    equal the reference chained the same way."""
    rng = np.random.default_rng(71)
    sats = make_sats(rng, 2000)
    ref = copy_sats(sats)
    cfg = SimConfig({"max_queue": 10})
    for _ in range(4):
        tasks = make_tasks(rng, 250, 0.9)
        got_i, got_s = delegate(tasks, sats, cfg)
        ref_i, ref_s = reference(tasks, ref, cfg)
        np.testing.assert_array_equal(got_i, ref_i)
        np.testing.assert_array_equal(got_s, ref_s)
        for f in ("n_tasks", "committed_eu", "backlog_work"):
            np.testing.assert_array_equal(getattr(sats, f), getattr(ref, f))


def test_saturation_with_origins_and_without():
    """Queues nearly full everywhere, a mixed batch much larger than the free slots."""
    rng = np.random.default_rng(73)
    sats = make_sats(rng, 1200)
    sats.n_tasks[:] = 7  # one free slot each (max_queue 8)
    i, _ = assert_same(make_tasks(rng, 3000, 0.5), sats, SimConfig())
    assert 0 < (i >= 0).sum() <= 1200


def test_rejects_non_float64_loads():
    sats = two_sats()
    sats.committed_eu = sats.committed_eu.astype(np.float32)
    with pytest.raises(ValueError, match="committed_eu"):
        delegate(one_task(), sats, SimConfig())


# ---- engine-like states: dense scores, priority classes, adaptive pilot depth -------------------


def engine_like(rng, n, t, planes=72, prio_p=(0.5, 0.35, 0.15)):
    """What the engine hands over after some loaded ticks: a Walker shell (72 planes), energy
    50-100 %, mostly empty queues and backlogs, no blackout; origins area-uniform within
    +-60 deg latitude, high priority first. Scores sit close together (the hard case)."""
    per = math.ceil(n / planes)
    i = np.arange(n)
    raan, u = 2 * np.pi * (i // per) / planes, 2 * np.pi * ((i % per) / per + (i // per) / (planes * per))
    inc = math.radians(53.0)
    pos = (R + 550.0) * np.stack([np.cos(raan) * np.cos(u) - np.sin(raan) * np.sin(u) * math.cos(inc),
                                  np.sin(raan) * np.cos(u) + np.cos(raan) * np.sin(u) * math.cos(inc),
                                  np.sin(u) * math.sin(inc)], axis=1)
    maxe = np.full(n, 1000.0)
    busy = rng.uniform(size=n) < 0.15
    sats = SatLoad(pos, maxe * rng.uniform(0.5, 1.0, n), maxe, np.where(busy, rng.uniform(0, 30, n), 0.0),
                   np.where(busy, rng.uniform(0, 200, n), 0.0), np.full(n, 10.0),
                   np.where(busy, rng.integers(1, 3, n), 0).astype(np.int32), np.zeros(n, bool))
    z = rng.uniform(-math.sin(math.pi / 3), math.sin(math.pi / 3), t)
    lon = rng.uniform(-math.pi, math.pi, t)
    c = np.sqrt(1 - z * z)
    prio = np.sort(rng.choice(3, size=t, p=prio_p))[::-1].astype(np.int8)
    tasks = TaskBatch(R * np.stack([c * np.cos(lon), c * np.sin(lon), z], axis=1), np.ones(t, bool),
                      rng.uniform(1, 10, t), rng.uniform(5, 50, t), prio)
    return tasks, sats


@pytest.mark.parametrize("n_sats, n_tasks", [(3000, 500), (10000, 300)])
def test_engine_like_states_match(n_sats, n_tasks):
    rng = np.random.default_rng(n_sats + 79)
    tasks, sats = engine_like(rng, n_sats, n_tasks)
    i, _ = assert_same(tasks, sats, SimConfig())
    assert (i >= 0).all()


def test_real_engine_state_matches():
    """The whole queue, in delegation order, and the satellites an Engine delegates over after
    loaded ticks: delegate() matches, and so does the engine's sweep over the queue."""
    from backend.core import engine as engine_mod
    from backend.core.scenario import Scenario
    from backend.core.sweep import queue_batch

    seen = []
    real = engine_mod.delegate_queue

    def capture(queue, table, sats, cfg):
        seen.append((queue_batch(queue, table)[1], copy_sats(sats), cfg))
        got = real(queue, table, sats, cfg)
        seen[-1] += (got,)
        return got

    eng = engine_mod.Engine(None, Scenario().updated({"n_satellites": 2000, "planes": 72, "n_drones": 10}), 1)
    eng.submit({"type": "smoke_start", "qps": 3000, "burst": 10})
    engine_mod.delegate_queue = capture
    try:
        for _ in range(12):
            eng.step()
    finally:
        engine_mod.delegate_queue = real
    assert len(seen) >= 5
    for tasks, sats, cfg, (_, got_sat, got_score) in seen[-3:]:
        i, s = assert_same(tasks, sats, cfg)
        np.testing.assert_array_equal(got_sat, i[i >= 0])
        np.testing.assert_array_equal(got_score, s[i >= 0])


@pytest.mark.parametrize("prio_p", [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.5, 0.0, 0.5), (0.0, 1.0, 0.0)])
def test_priority_classes_of_the_cell_orders(prio_p):
    """One member order per priority class present (U_pf bounds); any subset of classes."""
    rng = np.random.default_rng(83)
    tasks, sats = engine_like(rng, 4000, 400, prio_p=prio_p)
    assert_same(tasks, sats, SimConfig())


@pytest.mark.parametrize("pilot_k, members", [(1, 1), (2, 3), (4, 2), (64, 1)])
def test_pilot_depth_only_trades_work_for_fresh_prefixes(monkeypatch, pilot_k, members):
    """A shallow pilot (theta at the k-th best pilot score) makes prefixes run out on dense
    states, and the walk takes fresh ones; the choices are the same at every depth."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_PILOT_K", pilot_k)
    monkeypatch.setattr(dmod, "_PILOT_MEMBERS", members)
    monkeypatch.setattr(dmod, "_PILOT_K_EVERY", 10**9 if pilot_k == 1 else 7)
    calls = []
    real = dmod._prefixes
    monkeypatch.setattr(dmod, "_prefixes", lambda c, lo, hi: calls.append(lo) or real(c, lo, hi))
    rng = np.random.default_rng(89)
    tasks, sats = engine_like(rng, 3000, 500)
    assert_same(tasks, sats, SimConfig())
    if pilot_k == 1:
        assert len(calls) > 1


def test_kth_best():
    import backend.core.delegator as dmod

    k = np.array([0, 1, 0, 0, 2, 1])
    sc = np.array([0.5, 0.1, 0.9, 0.7, -np.inf, 0.3])
    for kth, want in [(1, [0.9, 0.3, -np.inf, -np.inf]), (2, [0.7, 0.1, -np.inf, -np.inf]),
                      (3, [0.5, -np.inf, -np.inf, -np.inf])]:
        top, got = dmod._kth_best(k, sc, 4, kth)
        np.testing.assert_array_equal(top, [0.9, 0.3, -np.inf, -np.inf])
        np.testing.assert_array_equal(got, want)
    rng = np.random.default_rng(5)  # against a plain per-group sort, ties included
    k, sc = rng.integers(0, 50, 3000), rng.choice([0.1, 0.2, 0.3, -np.inf], 3000) + rng.choice([0, 1e-17], 3000)
    for kth in (1, 4, 9):
        top, got = dmod._kth_best(k, sc, 60, kth)
        per = np.arange(60) % 7 + kth  # one depth per group
        _, got_per = dmod._kth_best(k, sc, 60, per)
        for j in range(60):
            v = np.sort(sc[k == j])[::-1]
            assert top[j] == (v[0] if len(v) else -np.inf)
            assert got[j] == (v[kth - 1] if len(v) >= kth else -np.inf)
            assert got_per[j] == (v[per[j] - 1] if len(v) >= per[j] else -np.inf)


@pytest.mark.parametrize("w3, max_queue", [(0.0, 9), (0.2, 9), (0.9, 3), (0.2, 200)])
def test_taken_entries_skipped_by_the_queue_drop_match(monkeypatch, w3, max_queue):
    """Taken prefix entries too far below the mark to beat it after losing w3 / max_queue
    are not re-scored; with any queue weight the choices equal the brute force, and with
    w3 > 0 fewer entries are re-scored than with w3 = 0."""
    import backend.core.delegator as dmod

    rescored = []
    real = dmod._Local.score
    monkeypatch.setattr(dmod._Local, "score", lambda self, k, s, w: rescored.append(k) or real(self, k, s, w))
    rng = np.random.default_rng(97)
    sats = make_sats(rng, 1500)
    tasks = make_tasks(rng, 500, 1.0)
    centre = unit(rng, 2) * R
    o = centre[rng.integers(0, 2, 500)] + rng.normal(scale=600.0, size=(500, 3))
    tasks.origin_ecef_km[:] = o * (R / np.linalg.norm(o, axis=1))[:, None]
    cfg = SimConfig({"w3": w3, "max_queue": max_queue})
    assert_same(tasks, sats, cfg)
    with_w3 = len(rescored)
    rescored.clear()
    assert_same(tasks, sats, SimConfig({"w3": 0.0, "max_queue": max_queue}))
    if w3 > 0 and max_queue < 50:
        assert with_w3 < len(rescored)


def test_group_max_of_contiguous_groups():
    """Groups in any order, each contiguous; empty groups get -inf; -inf values count."""
    import backend.core.delegator as dmod

    k = np.array([3, 3, 0, 2, 2, 2])
    v = np.array([0.5, 0.7, -np.inf, 0.1, 0.3, 0.2])
    np.testing.assert_array_equal(dmod._group_max(k, v, 5), [-np.inf, -np.inf, 0.3, 0.7, -np.inf])
    assert (dmod._group_max(k[:0], v[:0], 2) == -np.inf).all()


@pytest.mark.parametrize("seed, top", [(0, 65535), (1, 65535), (2, 63), (3, 166)])
def test_u_bins_keep_everything_above_a_threshold(seed, top):
    """U >= tau puts U's bin at or before tau's last bin, rounding included (and ties), with
    the full 16-bit bins and with the few bins that share a key with the cell."""
    import backend.core.delegator as dmod

    rng = np.random.default_rng(seed)
    u = rng.choice(rng.uniform(0.3, 1.0, 50), 5000) + rng.choice([0.0, 1e-16, 5e-17], 5000)
    umax, umin = float(u.max()), float(u.min())
    uscale = top / max(umax - umin, 1e-12)
    tau = np.concatenate([rng.choice(u, 200), rng.uniform(0.2, 1.1, 200), [-np.inf, umax, umin]])
    bu = dmod._ubin(umax - u, uscale, top)
    bt = dmod._ubin_upto(umax - tau, uscale, top)
    above = u[None, :] >= tau[:, None]
    assert (bu[None, :] <= bt[:, None])[above].all()
    assert bt[-3] == top and (bt[tau > umax] == -1).all() and bu.max() == top


@pytest.mark.parametrize("min_bins", [1, 1 << 20])
def test_cell_order_in_one_or_two_sort_passes(monkeypatch, min_bins):
    """The cell order with the bin in the cell's 16-bit key (one pass) and with 65,536 bins
    (two passes, what large constellations use) give the brute-force choices."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_MIN_BINS", min_bins)
    rng = np.random.default_rng(89)
    tasks, sats = engine_like(rng, 4000, 400)
    c = dmod._Context(tasks, copy_sats(sats), SimConfig())
    assert (c.cells.top == dmod._UBINS) == (min_bins > 1)
    assert_same(tasks, sats, SimConfig())


@pytest.mark.parametrize("chunk", [1024, 40])
def test_cell_pairs_are_reused_and_equal_fresh_ones(monkeypatch, chunk):
    """The (task, cell, pen) pairs cached for a range of tasks, selected for a subset, are
    the pairs computed for that subset alone; a subset outside the range recomputes."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_CHUNK", chunk)
    rng = np.random.default_rng(83)
    tasks, sats = engine_like(rng, 3000, 200)
    tasks.has_origin[5::7] = False
    c = dmod._Context(tasks, sats, SimConfig())

    def fresh(ks):
        t = c.cells
        task, cell = dmod._grid_cells(c, ks)
        cosp = c.ux[task] * t.cx[cell] + c.uy[task] * t.cy[cell] + c.uz[task] * t.cz[cell]
        pen = c.w[3] * dmod._dcost_lb(t, cosp, t.rho[cell])
        return task, c.task_cls[task] * t.n_cells + cell, pen

    def as_set(p):
        return sorted(zip(p[0].tolist(), p[1].tolist(), p[2].tolist()))

    with_origin = np.flatnonzero(tasks.has_origin)
    for ks in (with_origin, with_origin[3:17], with_origin[(with_origin >= 60) & (with_origin < 130)],
               with_origin[with_origin >= 150], with_origin[:1], with_origin[40:41], with_origin[-1:]):
        assert as_set(dmod._cell_pairs(c, ks)) == as_set(fresh(ks))
        lo, hi = c.cell_pairs[:2]
        assert lo <= ks[0] and ks[-1] < hi
    dmod._index(c)  # a rebuilt grid drops the cache
    assert c.cell_pairs is None


@pytest.mark.parametrize("members", [1, 2, 30])
def test_prefix_entries_are_unique_and_sorted(monkeypatch, members):
    """The pilot's pairs are not scored again by the main pass: each prefix lists a satellite
    once, in (score desc, index asc) order, with every entry above the task's bound."""
    import backend.core.delegator as dmod

    monkeypatch.setattr(dmod, "_PILOT_MEMBERS", members)
    rng = np.random.default_rng(89 + members)
    tasks, sats = engine_like(rng, 3000, 150)
    c = dmod._Context(tasks, sats, SimConfig())
    pre = dmod._prefixes(c, 0, 150)
    for j in range(150):
        sat, sc = pre.sat[pre.ptr[j]:pre.ptr[j + 1]], pre.score[pre.ptr[j]:pre.ptr[j + 1]]
        assert len(set(sat)) == len(sat)
        assert list(zip([-v for v in sc], sat)) == sorted(zip([-v for v in sc], sat))
        assert all(v > pre.bound[j] for v in sc)
    assert pre.ptr[-1] > 150


def test_dead_filter_with_every_satellite_open_and_with_some_closed():
    """`_dead` reads the arrays directly when every satellite is open, gathers otherwise:
    a task is dead exactly when no open satellite has the energy or backlog room for it."""
    import backend.core.delegator as dmod

    rng = np.random.default_rng(97)
    n = 50
    sats = SatLoad(np.tile([EARTH_RADIUS_KM + 550.0, 0.0, 0.0], (n, 1)), rng.uniform(200, 1000, n),
                   np.full(n, 1000.0), np.zeros(n), rng.uniform(0, 500, n), np.full(n, 10.0),
                   np.zeros(n, np.int32), np.zeros(n, bool))
    need = np.concatenate([rng.uniform(0, 1200, 40), [0.0]])
    work = np.concatenate([rng.uniform(0, 3000, 40), [0.0]])
    tasks = TaskBatch(np.zeros((41, 3)), np.zeros(41, bool), need, work, np.zeros(41, np.int8))
    cfg = SimConfig()
    for closed in ([], [int(np.argmax(sats.energy_eu)), int(np.argmin(sats.backlog_work))]):
        c = dmod._Context(tasks, sats, cfg)
        c.room[closed] = False
        c.n_open = int(np.count_nonzero(c.room))
        o = c.room
        fits = ((c.avail[o][None, :] - need[:, None] >= c.marg[o][None, :])
                & (c.bs[o][None, :] + work[:, None] / c.cap[o][None, :] <= c.maxb)).any(axis=1)
        dead = dmod._dead(c, np.arange(41))
        assert not dead[fits].any()  # exact: never drops a task some open satellite takes
        assert dead[~fits & ((need > np.max(c.avail[o] - c.marg[o]) + 1e-6)
                             | (work > np.max((c.maxb - c.bs[o]) * c.cap[o]) + 1e-6))].all()
