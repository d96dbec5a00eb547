"""One satellite or drone: reads, the set_satellite what-if hook, drone launch and recall."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import ApiError, json_response
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import entity_or_404, parse_id, submit_and_settle, submit_and_wait, svc
from .smoke import EMPTY

bp = Blueprint("entities", __name__)

SET_SATELLITE = Schema("SetSatellite", {
    "energy_pct": Field("number", min=0.0, max=100.0, doc="% of capacity", example=15.0),
    "solar_scale": Field("number", min=0.0, doc="panel output, fraction of nominal", example=0.0),
    "consumption_rate": Field("number", min=0.0, doc="base load, EU per sim s", example=2.0),
}, doc="test and what-if hook (engine command set_satellite)")
LAUNCH = Schema("Launch", {
    "satellite_id": Field("string", required=True, doc="target, e.g. sat-7", example="sat-7"),
})


def _sat(e, n):
    return e.satellite(n)


def _drone(e, n):
    return e.drone(n)


@bp.get("/api/satellites/<sat_id>")
def get_satellite(sat_id: str):
    return json_response(entity_or_404("sat", sat_id, _sat))


@bp.route("/api/satellites/<sat_id>", methods=["POST", "PATCH"])
def set_satellite(sat_id: str):
    body = validate(json_body(), SET_SATELLITE)
    entity_or_404("sat", sat_id, _sat)
    n = parse_id("sat", sat_id)
    return json_response(submit_and_wait({"type": "set_satellite", "satellite_id": sat_id, **body},
                                         lambda e: e.satellite(n)))


@bp.get("/api/drones/<drone_id>")
def get_drone(drone_id: str):
    return json_response(entity_or_404("drone", drone_id, _drone))


@bp.post("/api/drones/<drone_id>/launch")
def launch(drone_id: str):
    body = validate(json_body(), LAUNCH)
    entity_or_404("drone", drone_id, _drone)
    n = parse_id("drone", drone_id)
    cmd = {"type": "launch_drone", "drone_id": drone_id, **body}
    _, entry = submit_and_settle(cmd)
    if entry["status"] == "rejected":
        raise ApiError(409, "launch_refused", entry["error"]["message"], "satellite_id")
    return json_response(svc().rt.read(lambda e: e.drone(n)))


@bp.post("/api/drones/<drone_id>/recall")
def recall(drone_id: str):
    validate(json_body(optional=True), EMPTY)
    entity_or_404("drone", drone_id, _drone)
    n = parse_id("drone", drone_id)
    return json_response(submit_and_wait({"type": "recall_drone", "drone_id": drone_id},
                                         lambda e: e.drone(n)))
