"""HISTORY_URL to a SQLAlchemy URL (no database import: config.py validates with it)."""

from __future__ import annotations

from pathlib import Path

from backend.envfile import ROOT


def database_url(text: str) -> str | None:
    """The SQLAlchemy URL for HISTORY_URL (None when off); relative paths are from the repo."""
    text = text.strip()
    if text.lower() in ("off", "", "none", "0"):
        return None
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith("postgresql+psycopg://"):
        return text
    path = text.removeprefix("sqlite:///")
    if path.startswith("sqlite:") or "://" in path:
        raise ValueError(f"expected off, a file path, sqlite:///path or postgresql://..., got {text!r}")
    full = Path(path) if Path(path).is_absolute() else ROOT / path
    return f"sqlite:///{full}"
