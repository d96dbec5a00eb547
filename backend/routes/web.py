"""The built front end (STATIC_DIR, default frontend/dist) at /, with an SPA fallback."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory
from werkzeug.routing import PathConverter

from backend.config import ROOT
from backend.utils.errors import not_found
from backend.utils.schema import FILE, HTML, api

from .common import svc

bp = Blueprint("web", __name__)


class NotApiConverter(PathConverter):
    """A path that is not under /api or /metrics, so API 404s and 405s stay exact."""

    regex = r"(?!api(?:/|$)|metrics$)[^/].*?"

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Satellite VPP</title>
<h1>Satellite VPP server</h1><p>The front end is not built (no {dist}/index.html).
Run <code>./run_dev.sh</code> or <code>cd frontend && npm install && npm run build</code>.</p>
<p>API docs: <a href="/api/docs">/api/docs</a> &middot; <a href="/api/openapi.json">openapi.json</a>
&middot; <a href="/api/health">health</a></p>"""


def _dist() -> Path:
    d = Path(svc().settings.STATIC_DIR)
    return d if d.is_absolute() else ROOT / d


@bp.get("/")
@api("The globe (built front end); its query string is the globe's view state", responses={200: HTML},
     any_query=True)
def index():
    dist = _dist()
    if (dist / "index.html").is_file():
        return send_from_directory(dist, "index.html", max_age=0)
    return Response(_NOT_BUILT.format(dist=dist), mimetype="text/html")


@bp.get("/<notapi:path>")
@api("Front-end files; other paths without an extension serve the globe", path={"path": str},
     responses={200: FILE}, errors=(404,), any_query=True)
def asset(path: str):
    dist = _dist()
    if (dist / path).is_file():
        return send_from_directory(dist, path)
    if "." not in path.rsplit("/", 1)[-1] and (dist / "index.html").is_file():
        return send_from_directory(dist, "index.html", max_age=0)  # client-side route
    raise not_found("file", "/" + path)
