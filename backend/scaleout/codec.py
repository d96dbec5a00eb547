"""What goes over Redis, as named records, and how it is encoded.

Engine -> web (stream `vpp:out`, key `vpp:view`): pickle (protocol 5). The read view is the
engine's own `ReadView` object (numpy columns, the task book, the config): pickling it is a
memory copy (about 3 MB and 2.6 ms at 10,000 satellites, 2.2 ms to load), and the web then runs
the very same view code as a single process, so every read answers byte for byte the same.
Trust: whoever can write to this Redis can run code in the web processes (unpickling), so Redis
belongs to the deployment's inside: never published, password-protected when shared
(docs/interfaces.md). Web -> engine (stream `vpp:commands`): JSON only, so the engine never
unpickles what a web process sends.
"""

from __future__ import annotations

import copyreg
import pickle
from dataclasses import dataclass, field

import orjson

from backend.core.params import SimConfig

# SimConfig keeps its values in a read-only mapping proxy, which pickle cannot copy as is.
copyreg.pickle(SimConfig, lambda cfg: (SimConfig, (cfg.flat(),)))


@dataclass
class TickMessage:
    """One tick as every web process relays it: the same header, frame and events for all."""

    engine_id: str  # changes when the engine restarts
    generation: int  # of the engine's state (changes on reset)
    pub: dict  # the Published fields but view and frame (seq, tick, counts, totals, kpis, ...)
    frame: dict  # the globe frame as sent on the socket (arrays as little-endian float32 bytes)
    records: list  # (event name, payload) in emission order, at most the engine's cap per kind
    applied: dict  # command seq -> None (applied) or the engine's rejection, for the ledgers
    health: dict  # the engine's loop and pace figures for the web's /api/health


@dataclass
class Reply:
    """The engine's answer to one command: filed (seq, submit result, ledger entry) or refused."""

    key: str  # the idempotency key the web process gave the command
    engine_id: str
    seq: int | None = None
    result: dict | None = None
    entry: dict | None = None
    error: dict | None = field(default=None)  # {"status", "code", "message", "field"}


@dataclass
class ViewMessage:
    """The engine's latest read view (key `vpp:view`)."""

    engine_id: str
    seq: int
    view: object


def dump(obj) -> bytes:
    return pickle.dumps(obj, protocol=5)


def load(data: bytes):
    return pickle.loads(data)


@dataclass
class CommandMessage:
    """A command on its way to the engine (stream `vpp:commands`, JSON)."""

    key: str
    cmd: dict
    deadline: float  # wall s (time.time()): the engine ignores it after this

    def encode(self) -> bytes:
        return orjson.dumps({"key": self.key, "cmd": self.cmd, "deadline": self.deadline},
                            option=orjson.OPT_SERIALIZE_NUMPY)

    @staticmethod
    def decode(data: bytes) -> "CommandMessage":
        raw = orjson.loads(data)
        return CommandMessage(str(raw["key"]), dict(raw["cmd"]), float(raw["deadline"]))
