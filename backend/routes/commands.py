"""GET /api/commands/<command_id>: what became of a command (pending, applied, rejected).

Every state-changing route waits for the step that takes its command. When that wait times
out (QUERY_TIMEOUT_S) it answers 202 with the command's ledger entry and a `poll` link here;
the command stays queued and is applied (or rejected) exactly once: never cancelled, never
applied a second time by a retry of the same request (a retry is a new command).
"""

from __future__ import annotations

import re
from typing import Annotated

from flask import Blueprint
from pydantic import Field

from backend.utils.errors import json_response, not_found
from backend.utils.schema import api

from .common import svc
from .models import CommandEntry

bp = Blueprint("commands", __name__)

_CMD_ID = re.compile(r"cmd-([1-9][0-9]{0,15})", re.ASCII)


@bp.get("/api/commands/<command_id>")
@api("What became of a command (pending, applied, rejected)",
     path={"command_id": Annotated[str, Field(pattern=r"^cmd-[1-9][0-9]{0,15}$", examples=["cmd-1"])]},
     responses={200: CommandEntry})
def get_command(command_id: str):
    m = _CMD_ID.fullmatch(command_id)
    entry = svc().rt.commands.get(int(m.group(1))) if m else None
    if entry is None:
        raise not_found("command", command_id)
    return json_response(entry)
