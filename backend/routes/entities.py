"""One satellite or battery drone: reads, the set_satellite what-if hook, drone launch and recall."""

from __future__ import annotations

from flask import Blueprint

from backend.core.commands import Empty, Launch, SetSatellite
from backend.core.ids import BatteryId, SatId
from backend.utils.errors import ApiError, json_response
from backend.utils.schema import api

from .common import entity_or_404, parse_id, submit_and_settle, submit_and_wait, svc
from .models import Drone, Satellite

bp = Blueprint("entities", __name__)


def _sat(e, n):
    return e.satellite(n)


def _drone(e, n):
    return e.drone(n)


@bp.get("/api/satellites/<sat_id>")
@api("One satellite", path={"sat_id": SatId}, responses={200: Satellite})
def get_satellite(sat_id: str):
    return json_response(entity_or_404("sat", sat_id, _sat))


@bp.route("/api/satellites/<sat_id>", methods=["POST", "PATCH"])
@api("set_satellite what-if hook (POST and PATCH alike)", body=SetSatellite, path={"sat_id": SatId},
     responses={200: Satellite}, waits=True)
def set_satellite(sat_id: str, body: SetSatellite):
    entity_or_404("sat", sat_id, _sat)
    n = parse_id("sat", sat_id)
    return json_response(submit_and_wait({"type": "set_satellite", "satellite_id": sat_id,
                                          **body.model_dump(exclude_unset=True)},
                                         lambda e: e.satellite(n)))


@bp.get("/api/drones/<battery_id>")
@api("One drone", path={"battery_id": BatteryId}, responses={200: Drone})
def get_drone(battery_id: str):
    return json_response(entity_or_404("battery", battery_id, _drone))


@bp.post("/api/drones/<battery_id>/launch")
@api("Launch a drone to a satellite", body=Launch, path={"battery_id": BatteryId}, responses={200: Drone},
     errors=(409,), waits=True)
def launch(battery_id: str, body: Launch):
    entity_or_404("battery", battery_id, _drone)
    n = parse_id("battery", battery_id)
    cmd = {"type": "launch_drone", "battery_id": battery_id, **body.model_dump()}
    _, entry = submit_and_settle(cmd)
    if entry["status"] == "rejected":
        raise ApiError(409, "launch_refused", entry["error"]["message"], "satellite_id")
    return json_response(svc().rt.read(lambda e: e.drone(n)))


@bp.post("/api/drones/<battery_id>/recall")
@api("Recall a drone", body=Empty, body_required=False, path={"battery_id": BatteryId}, responses={200: Drone}, waits=True)
def recall(battery_id: str, body: Empty):
    entity_or_404("battery", battery_id, _drone)
    n = parse_id("battery", battery_id)
    return json_response(submit_and_wait({"type": "recall_drone", "battery_id": battery_id},
                                         lambda e: e.drone(n)))
