"""Routes declare their models; the same declaration validates requests and writes OpenAPI 3.1.

    @bp.post("/api/tasks")
    @api("Create a task", body=TaskIn, responses={201: Task}, errors=(429,))
    def create_task(body: TaskIn): ...

`api(...)` validates the JSON body (strict: see backend/utils/jsonbody.py) and the query string
with pydantic models before the view runs, passes them as `body=` / `query=`, and records an
`Operation` on the view. `openapi(app)` walks the app's URL map and describes every rule from
those records; a rule whose view has none is an error (tests/api/test_openapi.py), so a route
cannot exist undocumented. Every error status is answered with `ErrorBody`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from flask import Flask, request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from backend.core.validation import field_error

from .errors import ApiError, from_value_error
from .jsonbody import json_body

REF = "#/components/schemas/{model}"
TEXT = "text"  # a response that is text/plain (e.g. /metrics)
HTML = "html"  # a response that is text/html (the web pages)
FILE = "file"  # a static file of any type


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(description="short machine-readable reason, e.g. out_of_range")
    message: str = Field(description="what was wrong and what is expected")
    field: str | None = Field(description="dotted name of the offending field, or null")


class ErrorBody(BaseModel):
    """Every error response: {"error": {code, message, field}}."""

    error: ErrorDetail


ERROR_TEXT = {400: "invalid input (the first bad field is named)", 401: "missing or wrong API token",
              403: "origin or host not allowed", 404: "no such entity or path",
              405: "method not allowed", 409: "valid field by field but not together or against the current state "
                   "(stop_pct above high_pct, qps over qps_max, an id beyond the fleet, a refused command)",
              413: "body too large (MAX_BODY_BYTES)", 415: "Content-Type must be application/json",
              414: "request line over 8 KiB: refused by the HTTP server before the app, with no body",
              429: "too many requests: back off and retry", 503: "engine not answering in time or unhealthy"}


@dataclass
class Operation:
    """What a view accepts and answers; `openapi` reads it, `api` enforces the input side."""

    summary: str
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    path: dict = field(default_factory=dict)  # path parameter -> annotated type
    responses: dict = field(default_factory=dict)  # status -> model, TEXT, HTML or None
    errors: tuple = ()
    description: str = ""
    waits: bool = False  # waits for the command's step: 202 (timed out, pending) or 409 (rejected)


def api(summary: str, *, body: type[BaseModel] | None = None, body_required: bool = True,
        query: type[BaseModel] | None = None, path: dict | None = None, responses: dict | None = None,
        errors: tuple = (), description: str = "", waits: bool = False, any_query: bool = False):
    """Declare a view's models. Bodies and queries are validated before the view runs.
    `waits`: the route waits for its command's step (routes/common.submit_and_wait).
    `any_query`: the query string is not the server's (the globe keeps its view state there)."""

    def wrap(view):
        op = Operation(summary, body, body_required, query, dict(path or {}), dict(responses or {200: None}),
                       tuple(errors), description or (view.__doc__ or "").strip(), waits)

        @functools.wraps(view)
        def run(*args, **kwargs):
            if query is not None:
                kwargs["query"] = parse_query(query)
            elif request.args and not any_query:
                name = next(iter(request.args))
                raise ApiError(400, "unknown_field", f"{name}: unknown query parameter; this route takes none",
                               name)
            if body is not None:
                kwargs["body"] = parse_body(body, optional=not body_required)
            return view(*args, **kwargs)

        run.operation = op
        return run

    return wrap


def parse_body(model: type[BaseModel], optional: bool = False):
    """The request's JSON body validated by `model` (an empty body is {} when `optional`)."""
    raw = json_body(optional=optional)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise from_value_error(field_error(exc)) from None


def parse_query(model: type[BaseModel]):
    """The query string validated by `model` (repeated parameters are an error)."""
    args = {}
    for name in request.args:
        values = request.args.getlist(name)
        if len(values) > 1:
            raise ApiError(400, "duplicate_key", f"{name}: given {len(values)} times", name)
        args[name] = values[0]
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise from_value_error(field_error(exc)) from None


class QueryModel(BaseModel):
    """Base of query-string models: unknown parameters refused, values arrive as strings."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _digits(value: Any) -> Any:
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValueError(f"expected a non-negative integer of at most 12 ASCII digits")
        return int(value)
    return value


_DIGITS = re.compile(r"[0-9]{1,12}", re.ASCII)
QueryInt = Annotated[int, BeforeValidator(_digits)]
"""An integer query parameter: 1-12 ASCII digits (no sign, space, '_', other scripts). Give the
field its range (ge, le; at most QUERY_INT_MAX) so the document states it."""
QUERY_INT_MAX = 10**12 - 1


def name_list(names, what: str):
    """A query parameter listing some of `names`, comma separated (e.g. fields=a,b): the
    grammar is in the document (a pattern) and checked with a message naming the bad one."""
    one = "(?:" + "|".join(re.escape(n) for n in names) + ")"

    def check(raw: str) -> str:
        for name in raw.split(","):
            if name not in names:
                raise ValueError(f"unknown {what} {name[:40]!r}; expected a comma-separated list of "
                                 f"{', '.join(names)}")
        return raw

    return Annotated[str, AfterValidator(check),
                     Field(max_length=4000, json_schema_extra={"pattern": rf"^{one}(?:,{one})*$"})]


# ---- the document ----------------------------------------------------------------------------


class _NoNullDefaults(GenerateJsonSchema):
    """Optional fields whose default is 'not given' (None) show no default in the document."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        out = super().default_schema(schema)
        if out.get("default", 0) is None and "anyOf" not in out:
            out.pop("default")
        return out


_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _oas_path(rule: str) -> str:
    return _RULE_ARG.sub(r"{\1}", rule)


class Pending(BaseModel):
    """202: the wait for the command's step timed out; it stays queued, poll `poll`."""

    model_config = ConfigDict(extra="allow")
    command_id: str
    status: str
    poll: str = Field(description="GET this path for the outcome")


def _models(ops) -> list:
    seen: dict = {ErrorBody: None, Pending: None}
    for op in ops:
        for m in (op.body, *op.responses.values()):
            if isinstance(m, type) and issubclass(m, BaseModel):
                seen[m] = None
    return list(seen)


def _query_params(model) -> list:
    schema = model.model_json_schema(schema_generator=_NoNullDefaults, ref_template=REF)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "description": prop.get("description", ""), "schema": prop}
            for name, prop in schema.get("properties", {}).items()]


def _content(kind) -> dict | None:
    if kind is None:
        return None
    if kind == TEXT:
        return {"text/plain": {"schema": {"type": "string"}}}
    if kind == HTML:
        return {"text/html": {"schema": {"type": "string"}}}
    if kind == FILE:
        return {"*/*": {"schema": {"type": "string"}}}
    if isinstance(kind, dict):
        return {"application/json": {"schema": kind}}
    return {"application/json": {"schema": {"$ref": REF.format(model=kind.__name__)}}}


def _in_path_order(rule) -> list:
    """The rule's variables as they appear in its path (werkzeug keeps them in a set, whose
    order changes from one process to the next)."""
    return sorted(rule.arguments, key=lambda name: rule.rule.index(f":{name}>") if f":{name}>" in rule.rule
                  else rule.rule.index(f"<{name}>"))


def _error_statuses(op: Operation, method: str, has_path: bool, token: bool) -> list:
    out = set(op.errors) | {403, 503} | ({409} if op.waits else set())
    if op.body is not None:
        out |= {400, 413, 415}
    if op.query is not None:
        out.add(400)
    if has_path:
        out.add(404)
    if method in ("post", "patch", "put", "delete"):
        out |= {400, 415}  # a body is refused on these unless JSON; unknown query parameters too
        if token:
            out.add(401)
    return sorted(out)


def _operation(method: str, rule, op: Operation, token: bool) -> dict:
    path = _oas_path(rule.rule)
    out: dict = {"summary": op.summary, "operationId": f"{method}{path}".replace("/", "_")
                 .replace("{", "").replace("}", "").replace(".", "_").replace("-", "_"), "responses": {}}
    if op.description:
        out["description"] = op.description
    params = [{"name": n, "in": "path", "required": True,
               "schema": TypeAdapter(op.path.get(n, str)).json_schema(ref_template=REF)}
              for n in _in_path_order(rule)]
    if op.query is not None:
        params += _query_params(op.query)
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required, "content": _content(op.body)}
    responses = {**op.responses, **({202: Pending} if op.waits else {})}
    for status, kind in responses.items():
        resp = {"description": "OK" if status < 300 else ERROR_TEXT.get(status, "")}
        content = _content(kind)
        if content:
            resp["content"] = content
        out["responses"][str(status)] = resp
    for status in _error_statuses(op, method, bool(rule.arguments), token):
        out["responses"].setdefault(str(status), {"description": ERROR_TEXT.get(status, "error"),
                                                  "content": _content(ErrorBody)})
    out["responses"]["414"] = {"description": ERROR_TEXT[414]}  # any URL can be too long
    if token and method in ("post", "patch", "put", "delete"):
        out["security"] = [{"bearer": []}]
    return out


def operations(app: Flask):
    """(rule, method, Operation or None) for every rule and method of `app`."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method.lower(), getattr(view, "operation", None)


def openapi(app: Flask, token: bool = False) -> dict:
    """The OpenAPI 3.1 document of every route of `app` (raises if one is undescribed)."""
    paths: dict = {}
    ops = []
    for rule, method, op in operations(app):
        if op is None:
            raise LookupError(f"{method.upper()} {rule.rule} has no @api declaration")
        ops.append(op)
        paths.setdefault(_oas_path(rule.rule), {})[method] = _operation(method, rule, op, token)
    _, defs = models_json_schema([(m, "validation") for m in _models(ops)], ref_template=REF,
                                 schema_generator=_NoNullDefaults)
    components: dict = {"schemas": defs.get("$defs", {})}
    if token:
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer",
                                                     "description": "the server's API_TOKEN"}}
    return {"openapi": "3.1.0",
            "info": {"title": "Satellite VPP", "version": "1.0",
                     "description": "REST control of the simulator; live events on Socket.IO /ws "
                                    "(see docs/api.md). Every error is {\"error\": {code, message, field}}."},
            "paths": dict(sorted(paths.items())), "components": components}
