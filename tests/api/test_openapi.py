"""The OpenAPI 3.1 document is generated from the routes' @api declarations: every route is
described, every status has a schema, /metrics is text, examples validate."""

from __future__ import annotations

import jsonschema_rs
import pytest
from flask import Blueprint, Flask

from backend.routes import register
from backend.routes.web import NotApiConverter
from backend.utils.schema import openapi


def _bare_app() -> Flask:
    """Every blueprint of the real app, without starting the engine."""
    app = Flask(__name__, static_folder=None)  # as backend/app.py builds it
    app.url_map.converters["notapi"] = NotApiConverter
    register(app, test_hooks=True)
    return app


def test_every_rule_of_the_app_is_in_the_document(api):
    doc = api.get("/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    app = _bare_app()
    rules = {(r.rule, m.lower()) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    import re
    described = {(re.sub(r"\{(\w+)\}", r"<\1>", p), m) for p, ops in doc["paths"].items() for m in ops}
    normalised = {(re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r), m) for r, m in rules}
    assert normalised == described


def test_an_undescribed_route_fails_the_document():
    app = _bare_app()
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/api/undocumented", "undocumented", lambda: "x")
    app.register_blueprint(extra)
    with pytest.raises(LookupError, match="/api/undocumented"):
        openapi(app)


def test_statuses_have_schemas_and_metrics_is_text(api):
    doc = api.get("/api/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert "200" in op["responses"] or "201" in op["responses"], (path, method)
            assert "503" in op["responses"] and "403" in op["responses"], (path, method)
            for status, resp in op["responses"].items():
                assert resp.get("content") or status == "414", (path, method, status)
            assert "content" not in op["responses"]["414"]  # gevent's own answer, empty
            if "requestBody" in op:
                assert {"400", "413", "415"} <= set(op["responses"]), (path, method)
    assert set(doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == {"text/plain"}
    health = doc["paths"]["/api/health"]["get"]["responses"]
    assert health["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/Health")
    assert "409" in doc["paths"]["/api/sim/step"]["post"]["responses"]
    task = doc["components"]["schemas"]["TaskIn"]
    assert task["required"] == ["energy_need", "processing_power_needed"]
    assert task["additionalProperties"] is False
    assert task["properties"]["energy_need"]["maximum"] == 1e9  # the engine's limit, written once
    assert doc["components"]["schemas"]["SmokeStart"]["properties"]["burst"]["maximum"] == 100_000


def _resolve(doc, schema):
    return {**schema, "components": doc["components"]} if "$ref" in schema else schema


def test_every_example_validates_and_is_accepted(api):
    """Each body schema's field examples, put together, validate against that schema (and the
    server takes the whole example)."""
    doc = api.get("/api/openapi.json").json()
    checked = 0
    for name, schema in doc["components"]["schemas"].items():
        props = schema.get("properties", {})
        example = {k: p["examples"][0] for k, p in props.items() if "examples" in p}
        if not example or schema.get("additionalProperties") is not False:
            continue
        wrapped = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        assert jsonschema_rs.validator_for(wrapped).is_valid(example), (name, example)
        checked += 1
    assert checked >= 5
    assert api.post("/api/tasks", {"energy_need": 5.0, "processing_power_needed": 40.0,
                                   "priority": "high"}).status_code == 201
