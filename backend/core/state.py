"""Struct-of-arrays state: satellites, drones and live tasks, one numpy array per field.

Entity axis first; positions are (N, 3) km. Satellites are a fixed set (index = id number);
drones are a fixed set; tasks live in a fixed-capacity table with an `active` mask and a free
list, so removal is O(1) and nothing is reindexed. The free list hands out low slots first and
reuses freed ones, so live rows sit below a high-water mark (`used`) and per-tick scans of the
table stop there instead of reading every row of its capacity.
"""

from __future__ import annotations

import numpy as np

from .frames import ecef_to_geodetic

# Task status codes (live table only holds QUEUED and RUNNING).
QUEUED, RUNNING, COMPLETED, DROPPED = 1, 2, 3, 4
STATUS_NAMES = {QUEUED: "queued", RUNNING: "running", COMPLETED: "completed", DROPPED: "dropped"}
PRIORITIES = ("low", "medium", "high")  # code = index

# Drop reasons.
DROP_REASONS = ("queue_full", "no_eligible_satellite", "blackout")
QUEUE_FULL, NO_ELIGIBLE, BLACKOUT = 0, 1, 2

# giving_energy codes.
GIVING_NAMES = ("idle", "active", "blocked")
IDLE, ACTIVE, BLOCKED = 0, 1, 2

# Drone status codes.
DRONE_STATUS = ("charging", "standby", "enroute", "docking", "returning", "out_of_service")
CHARGING, STANDBY, ENROUTE, DOCKING, RETURNING, OUT_OF_SERVICE = range(6)


class Satellites:
    """Per-satellite arrays; index i is satellite `ids.sat_id(i)` (`sat-001` for 0)."""

    def __init__(self, n: int):
        f8 = lambda: np.zeros(n, dtype=np.float64)  # noqa: E731
        self.n = n
        # Orbit (circular): semi-major axis km, inclination rad, RAAN at epoch rad,
        # argument of latitude at epoch rad, its rate rad/s (mean motion + J2 drift), RAAN drift rad/s (J2).
        self.sma_km, self.inc_rad, self.raan0_rad, self.u0_rad = f8(), f8(), f8(), f8()
        self.arglat_rate_rad_s, self.raan_dot_rad_s = f8(), f8()
        self.plane = np.zeros(n, dtype=np.int32)
        self.slot = np.zeros(n, dtype=np.int32)
        # Kinematics, refreshed every tick; lat/lon/alt derived from pos_ecef_km when read.
        self.pos_eci_km = np.zeros((n, 3))
        self.pos_ecef_km = np.zeros((n, 3))
        self._geo, self._geo_stale = (f8(), f8(), f8()), True
        self.sunlit = np.zeros(n, dtype=bool)  # some of the solar disk is visible
        # False: out of service (SGP4 lost it: decayed TLE, for good; or failed by set_satellite).
        # The one eligibility mask: the delegator, beams (giver or receiver) and drones choose only
        # satellites in service; power.py keeps an out-of-service one dark (blackout).
        self.in_service = np.ones(n, dtype=bool)
        self.sun_fraction = f8()  # visible fraction of the solar disk, 0 (umbra) .. 1 (penumbra between)
        # Energy (EU) and rates (EU per simulated second).
        self.energy_eu, self.max_energy_eu = f8(), f8()
        self.consumption_eu_s, self.solar_eu_s = f8(), f8()
        self.predicted_eu = f8()
        self.blackout = np.zeros(n, dtype=bool)
        self.low_armed = np.ones(n, dtype=bool)
        self.overload_armed = np.ones(n, dtype=bool)
        self.at_risk = np.zeros(n, dtype=bool)
        # Compute: capacity in work units per second; tasks on board, committed energy
        # (remaining energy need of tasks on board, EU), backlog (remaining work units).
        self.processing_capacity = f8()
        self.n_tasks = np.zeros(n, dtype=np.int32)
        self.committed_eu, self.backlog_work = f8(), f8()
        # Beaming: giving_energy code and peer index (-1 none), receiving-from index.
        self.giving = np.zeros(n, dtype=np.int8)
        self.beam_peer = np.full(n, -1, dtype=np.int64)
        self.beam_from = np.full(n, -1, dtype=np.int64)

    def moved(self) -> None:
        """pos_ecef_km changed: lat/lon/alt are converted again on their next read."""
        self._geo_stale = True

    def geodetic(self) -> tuple:
        """(lat_deg, lon_deg, alt_km) arrays of the current positions. Only views read them, so
        the tick does not pay for the conversion; it runs once per move, on first read."""
        if self._geo_stale:
            ecef_to_geodetic(self.pos_ecef_km, out=self._geo)
            self._geo_stale = False
        return self._geo

    lat_deg = property(lambda self: self.geodetic()[0], doc="deg, [-90, 90]")
    lon_deg = property(lambda self: self.geodetic()[1], doc="deg, [-180, 180)")
    alt_km = property(lambda self: self.geodetic()[2], doc="km above the spherical Earth")


class Drones:
    """Per-drone arrays; index j is battery drone `ids.battery_id(j)` (`bat-001` for 0)."""

    def __init__(self, n: int):
        f8 = lambda: np.zeros(n, dtype=np.float64)  # noqa: E731
        self.n = n
        self.station = np.zeros(n, dtype=np.int64)
        self.pos_ecef_km = np.zeros((n, 3))
        self.lat_deg, self.lon_deg, self.alt_km = f8(), f8(), f8()
        self.reserve_eu, self.reserve_cap_eu = f8(), f8()
        self.battery_eu, self.battery_cap_eu = f8(), f8()
        self.status = np.full(n, CHARGING, dtype=np.int8)
        self.target = np.full(n, -1, dtype=np.int64)
        self.trip_delivered_eu = f8()
        self.flown_km = f8()
        self.fault = np.zeros(n, dtype=bool)


class Stations:
    """Ground stations: names and positions (alt 0)."""

    def __init__(self, names: list[str], lat_deg, lon_deg):
        self.names = list(names)
        self.n = len(self.names)
        self.lat_deg = np.asarray(lat_deg, dtype=np.float64)
        self.lon_deg = np.asarray(lon_deg, dtype=np.float64)
        self.pos_ecef_km = np.zeros((self.n, 3))


class Tasks:
    """Live tasks (queued or running) in a fixed-capacity table with a free list."""

    def __init__(self, capacity: int):
        f8 = lambda: np.zeros(capacity, dtype=np.float64)  # noqa: E731
        self.capacity = capacity
        self.active = np.zeros(capacity, dtype=bool)
        self.task_id = np.full(capacity, -1, dtype=np.int64)
        self.created_at, self.assigned_at = f8(), f8()
        self.energy_need, self.work, self.work_done = f8(), f8(), f8()
        self.priority = np.zeros(capacity, dtype=np.int8)
        self.origin_lat, self.origin_lon = f8(), f8()
        self.origin_ecef_km = np.zeros((capacity, 3))
        self.has_origin = np.zeros(capacity, dtype=bool)
        self.status = np.zeros(capacity, dtype=np.int8)
        self.sat = np.full(capacity, -1, dtype=np.int64)
        self._free = np.arange(capacity - 1, -1, -1, dtype=np.int64)
        self._n_free = capacity
        self.used = 0  # high-water mark: slots >= used were never allocated (inactive)

    @property
    def n_free(self) -> int:
        return self._n_free

    def with_status(self, status: int) -> np.ndarray:
        """Slots with this status, ascending (scans only the rows below the high-water mark)."""
        return np.flatnonzero(self.status[: self.used] == status)

    def allocate(self, k: int) -> np.ndarray:
        """Take k free slots (k <= n_free); they become active."""
        slots = self._free[self._n_free - k : self._n_free][::-1].copy()
        self._n_free -= k
        self.active[slots] = True
        if k:
            self.used = max(self.used, int(slots.max()) + 1)
        return slots

    def release(self, slots: np.ndarray) -> None:
        """Return slots to the free list; they become inactive."""
        k = len(slots)
        self.active[slots] = False
        self.status[slots] = 0
        self.sat[slots] = -1
        self.task_id[slots] = -1
        self._free[self._n_free : self._n_free + k] = slots[::-1]
        self._n_free += k
