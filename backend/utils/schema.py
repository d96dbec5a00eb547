"""Tiny body schemas: one definition drives both validation and the OpenAPI document.

Rules at the boundary: unknown fields are rejected, booleans never pass as numbers, numbers
must be finite, ranges are inclusive unless `exclusive_min`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass(frozen=True)
class Field:
    """One body field: JSON type ("number", "integer", "string", "boolean", "object")."""

    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    enum: tuple | None = None
    nullable: bool = False
    schema: "Schema | None" = None  # nested object with fixed fields
    free_object: bool = False       # object passed through (validated downstream)
    doc: str = ""
    example: object = None


@dataclass(frozen=True)
class Schema:
    """A JSON object with fixed fields."""

    name: str
    fields: dict = field(default_factory=dict)
    doc: str = ""


def _bad(field_path: str, message: str, code: str = "invalid_type") -> ApiError:
    return ApiError(400, code, f"{field_path}: {message}", field_path)


def _check_number(path: str, value, spec: Field):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(path, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise _bad(path, f"expected a finite number, got {value!r}", "invalid_number")
    if spec.type == "integer" and (isinstance(value, float) and not value.is_integer()):
        raise _bad(path, f"expected an integer, got {value!r}")
    too_low = spec.min is not None and (value <= spec.min if spec.exclusive_min else value < spec.min)
    if too_low or (spec.max is not None and value > spec.max):
        lo = "(" if spec.exclusive_min else "["
        raise _bad(path, f"(={value!r}) must be within {lo}{spec.min}, {spec.max}]", "out_of_range")
    return int(value) if spec.type == "integer" else value


def _check_field(path: str, value, spec: Field):
    if value is None:
        if spec.nullable:
            return None
        raise _bad(path, "must not be null")
    if spec.type in ("number", "integer"):
        value = _check_number(path, value, spec)
    elif spec.type == "string":
        if not isinstance(value, str):
            raise _bad(path, f"expected a string, got {value!r}")
    elif spec.type == "array":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(path, f"expected an array of strings, got {value!r}")
    elif spec.type == "boolean":
        if not isinstance(value, bool):
            raise _bad(path, f"expected a boolean, got {value!r}")
    elif spec.type == "object":
        if not isinstance(value, dict):
            raise _bad(path, f"expected an object, got {value!r}")
        if spec.schema is not None:
            value = validate(value, spec.schema, prefix=path + ".")
    if spec.enum is not None and value not in spec.enum:
        raise _bad(path, f"(={value!r}) must be one of {list(spec.enum)}", "invalid_value")
    return value


def validate(body: dict, schema: Schema, prefix: str = "") -> dict:
    """Return a checked copy of `body` or raise ApiError naming the first bad field."""
    for name in body:
        if name not in schema.fields:
            raise _bad(prefix + name, f"unknown field; expected one of {sorted(schema.fields)}",
                       "unknown_field")
    for name, spec in schema.fields.items():
        if spec.required and name not in body:
            raise _bad(prefix + name, "is required", "missing_field")
    return {name: _check_field(prefix + name, value, schema.fields[name]) for name, value in body.items()}


def to_openapi(schema: Schema) -> dict:
    """OpenAPI 3 schema object for `schema`."""
    props = {name: _field_openapi(spec) for name, spec in schema.fields.items()}
    out = {"type": "object", "additionalProperties": False, "properties": props}
    req = [n for n, s in schema.fields.items() if s.required]
    if req:
        out["required"] = req
    if schema.doc:
        out["description"] = schema.doc
    return out


def _field_openapi(spec: Field) -> dict:
    if spec.schema is not None:
        out = to_openapi(spec.schema)
    else:
        out = {"type": spec.type}
        if spec.type == "array":
            out["items"] = {"type": "string"}
        if spec.free_object:
            out["additionalProperties"] = True
    for key, val in (("minimum", spec.min), ("maximum", spec.max), ("enum", spec.enum),
                     ("description", spec.doc or None), ("example", spec.example)):
        if val is not None:
            out[key] = list(val) if key == "enum" else val
    if spec.exclusive_min:
        out["exclusiveMinimum"] = True
    if spec.nullable:
        out["nullable"] = True
    return out
