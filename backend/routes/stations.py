"""Ground stations and their passes: GET /api/stations, /api/stations/<id>/passes,
/api/satellites/<id>/passes (backend/core/contacts.py predicts them)."""

from __future__ import annotations

import numpy as np
from flask import Blueprint
from pydantic import Field

from backend.core import contacts_view, views
from backend.core.ids import SatId, StationId
from backend.core.params import FieldError
from backend.utils.errors import from_value_error, json_response, not_found
from backend.utils.schema import QueryModel, api

from .common import parse_id, svc
from .models import Open

bp = Blueprint("stations", __name__)


class PassesQuery(QueryModel):
    """Look-ahead of a pass prediction."""

    hours: float = Field(6.0, gt=0.0, le=48.0, allow_inf_nan=False, description="look-ahead, hours from now")
    min_elevation: float = Field(None, ge=-90.0, le=89.0, allow_inf_nan=False,
                                 description="deg; default the delegator's min_elevation_deg")


class Station(Open):
    station_id: str = Field(examples=["gs-001"])
    name: str
    lat: float = Field(description="deg")
    lon: float = Field(description="deg")


class StationList(Open):
    stations: list[Station]


class PassRecord(Open):
    """One pass: acquisition (aos), loss (los), maximum elevation; dates ISO 8601, *_s sim s."""

    satellite_id: str
    station_id: str
    aos: str
    los: str
    max_elevation_at: str
    max_elevation_deg: float
    duration_s: float
    quality: float = Field(description="0..1: 0.6 max_elevation/90 + 0.4 min(1, duration / overhead pass)")
    aos_clipped: bool = Field(description="already in view at the start of the window")
    los_clipped: bool = Field(description="still in view at its end")


class PassList(Open):
    from_s: float
    to_s: float
    min_elevation_deg: float
    passes: list[PassRecord]


@bp.get("/api/stations")
@api("Ground stations", responses={200: StationList})
def list_stations():
    return json_response({"stations": svc().rt.read(views.stations)})


def _passes(query: PassesQuery, pick):
    def read(view):
        sats, stations = pick(view)
        min_el = view.config.min_elevation_deg if query.min_elevation is None else query.min_elevation
        try:
            return contacts_view.passes(view, sats, stations, query.hours, min_el)
        except FieldError as err:
            raise from_value_error(err) from None
    return json_response(svc().rt.read(read))


@bp.get("/api/stations/<station_id>/passes")
@api("Passes over one ground station", query=PassesQuery, path={"station_id": StationId},
     responses={200: PassList}, errors=(404,))
def station_passes(station_id: str, query: PassesQuery):
    k = parse_id("station", station_id)

    def pick(view):
        if k >= view.stations.n:
            raise not_found("ground station", station_id)
        return np.arange(view.sats.n), np.array([k])
    return _passes(query, pick)


@bp.get("/api/satellites/<sat_id>/passes")
@api("Passes of one satellite over every ground station", query=PassesQuery, path={"sat_id": SatId},
     responses={200: PassList}, errors=(404,))
def satellite_passes(sat_id: str, query: PassesQuery):
    i = parse_id("sat", sat_id)

    def pick(view):
        if i >= view.sats.n:
            raise not_found("satellite", sat_id)
        return np.array([i]), np.arange(view.stations.n)
    return _passes(query, pick)


class OrbitTrack(Open):
    """Earth-fixed path one period behind and ahead: columns of equal length."""

    satellite_id: str
    period_s: float
    t_s: list[float] = Field(description="sim s after the epoch")
    lat: list[float] = Field(description="deg")
    lon: list[float] = Field(description="deg")
    alt_km: list[float]


@bp.get("/api/satellites/<sat_id>/orbit")
@api("One satellite's orbit path, one period behind and ahead (Earth-fixed)", path={"sat_id": SatId},
     responses={200: OrbitTrack}, errors=(404,))
def satellite_orbit(sat_id: str):
    i = parse_id("sat", sat_id)

    def read(view):
        if i >= view.sats.n:
            raise not_found("satellite", sat_id)
        try:
            return contacts_view.orbit_track(view, i)
        except FieldError as err:
            raise from_value_error(err) from None
    return json_response(svc().rt.read(read))
