"""GET /api/openapi.json (OpenAPI 3.1 generated from the routes' models) and GET /api/docs
(Swagger UI from the flask-swagger-ui PyPI package, served by the app: no CDN)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import Blueprint, current_app, send_from_directory

from backend.utils.errors import json_response, not_found
from backend.utils.schema import FILE, HTML, api, openapi

from .common import svc

bp = Blueprint("docs", __name__)

_PAGE = Path(__file__).with_name("docs_page")
_SWAGGER = Path(importlib.util.find_spec("flask_swagger_ui").origin).parent / "dist"
_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
           "favicon-32x32.png", "favicon-16x16.png")


@bp.get("/api/openapi.json")
@api("This document (OpenAPI 3.1)", responses={200: {"type": "object"}})
def openapi_json():
    ext = current_app.extensions
    if "vpp_openapi" not in ext:  # routes are fixed once the app is built
        ext["vpp_openapi"] = openapi(current_app, token=bool(svc().settings.API_TOKEN))
    return json_response(ext["vpp_openapi"])


@bp.get("/api/docs")
@api("Interactive API page (Swagger UI)", responses={200: HTML})
def docs_page():
    return send_from_directory(_PAGE, "index.html", max_age=0)


@bp.get("/api/docs/<asset>")
@api("Files of the API page", path={"asset": str}, responses={200: FILE})
def docs_asset(asset: str):
    if asset == "init.js":
        return send_from_directory(_PAGE, asset, max_age=0)
    if asset in _ASSETS:
        return send_from_directory(_SWAGGER, asset)
    raise not_found("file", f"/api/docs/{asset}")
