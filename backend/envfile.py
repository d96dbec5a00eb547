"""The environment as the server sees it (`.env` overlaid by the real environment), readable
before gevent/eventlet monkey-patch the standard library: imports nothing heavy."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("gevent", "threading", "eventlet")


def environment(env_file: str | os.PathLike | None = None) -> dict:
    """`.env` values overlaid by the real environment (the environment wins).

    DOTENV_PATH names another file; DOTENV_PATH= (empty) reads none (tests use that).
    """
    if env_file is None:
        env_file = os.environ.get("DOTENV_PATH", str(ROOT / ".env"))
    if not env_file:
        return dict(os.environ)
    path = Path(env_file)
    merged = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}
    merged.update(os.environ)
    return merged


def async_mode_from_env() -> str | None:
    """The async mode alone (None if it is not one of ASYNC_MODES: `config.load` says why)."""
    mode = environment().get("ASYNC_MODE", "gevent").strip()
    return mode if mode in ASYNC_MODES else None
