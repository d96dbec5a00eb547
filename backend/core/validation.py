"""The one validation mechanism: strict pydantic models and their errors as FieldError.

Every input (REST body and query, socket payload, engine command, config group, scenario,
environment) is a model derived from `Strict`; `parse(model, data)` returns the checked
model or raises `FieldError` naming the first bad field (dotted for nested input), a short
code and what was expected. Rules of the boundary, the same everywhere: unknown fields are
rejected, booleans never pass as numbers, strings never pass as numbers, numbers must be
finite, integers must be integers (5.5 is not; 5.0 is 5, as in JSON and JSON Schema), ranges
are inclusive unless stated. `Conflict` (HTTP 409) marks input that is valid field by field but
not together or against the current state (stop_pct above high_pct, qps over qps_max).

`param(default, lo, hi, unit, doc)` is a field with its default, range, unit and meaning in
one place; the JSON schema (OpenAPI, docs, .env.example) carries all four.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class FieldError(ValueError):
    """A rejected value; `field` names the offending key (dotted for nested input), `code`
    is a short machine-readable reason (unknown_field, out_of_range, invalid_type, ...)."""

    def __init__(self, field: str | None, message: str, code: str = "invalid_value"):
        prefix = f"{field}: " if field and not message.startswith(field) else ""
        super().__init__(prefix + message)
        self.field, self.code = field, code


class Conflict(FieldError):
    """Each field is valid but they break a rule together or against the current state (a
    rule between fields, the config's qps_max, the work budget, an id beyond the fleet)."""


class Strict(BaseModel):
    """Base of every input model: frozen, unknown fields and type coercion refused."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True,
                              use_attribute_docstrings=True)


def param(default: Any, lo: float | None, hi: float | None, unit: str, doc: str,
          exclusive_lo: bool = False, example: Any = None) -> Any:
    """A field with default, inclusive range [lo, hi] (lo exclusive if asked), unit and meaning."""
    extra: dict = {"unit": unit} if unit else {}
    if example is not None:
        extra["examples"] = [example]
    bounds = {"gt" if exclusive_lo else "ge": lo} if lo is not None else {}
    if hi is not None:
        bounds["le"] = hi
    desc = f"{doc} [{unit}]" if unit else doc
    return Field(default, description=desc, json_schema_extra=extra or None, **bounds)


_CODES = {
    "extra_forbidden": "unknown_field",
    "missing": "missing_field",
    "finite_number": "invalid_number",
    "greater_than": "out_of_range", "greater_than_equal": "out_of_range",
    "less_than": "out_of_range", "less_than_equal": "out_of_range",
    "too_short": "invalid_value", "too_long": "invalid_value",
    "literal_error": "invalid_value", "enum": "invalid_value", "value_error": "invalid_value",
    "string_pattern_mismatch": "invalid_value", "assertion_error": "invalid_value",
}


def _dotted(loc: tuple, prefix: str) -> str | None:
    out = prefix.rstrip(".")
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-"):
            out = f"{out}.{part}" if out else str(part)
    return out or None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_error(exc: ValidationError, prefix: str = "") -> FieldError:
    """The first pydantic error as a FieldError: field, message with the value, code."""
    err = exc.errors(include_url=False)[0]
    field = _dotted(tuple(err["loc"]), prefix)
    inner = err.get("ctx", {}).get("error")
    if isinstance(inner, FieldError):  # raised by a model's own cross-field check
        loc = tuple(err["loc"])
        name = _dotted((*loc, inner.field), prefix) if inner.field and loc[-1:] != (inner.field,) else field
        return type(inner)(name, str(inner).removeprefix(f"{inner.field}: "), inner.code)
    code = _CODES.get(err["type"], "invalid_type" if err["type"].endswith(
        ("_type", "_parsing", "_parsing_size", "_from_float", "model_attributes_type")) else "invalid_value")
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] != "missing":
        msg = f"{msg} (got {_short(err.get('input'))})"
    return FieldError(field, msg[0].lower() + msg[1:], code)


def parse(model: type[BaseModel], data: Any, prefix: str = ""):
    """`model` validated from `data` (a dict), or FieldError naming the first bad field."""
    if not isinstance(data, dict):
        raise FieldError(prefix.rstrip(".") or None,
                         f"expected an object, got {type(data).__name__}", "invalid_type")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_error(exc, prefix) from None


def _shown_default(f: FieldInfo) -> dict:
    """The full model's default, shown in the partial model's schema (what an unset key keeps)."""
    extra = dict(f.json_schema_extra or {})
    if f.default is not None and f.default is not PydanticUndefined:
        extra["default"] = list(f.default) if isinstance(f.default, tuple) else f.default
    return extra


def partial_of(model: type[BaseModel], name: str, doc: str) -> type[Strict]:
    """`model` with every field optional and no default (a partial update of it): same types,
    ranges, units and meanings; validators of the whole stay with `model`."""
    fields = {k: (f.annotation, FieldInfo.merge_field_infos(f, default=None, json_schema_extra=_shown_default(f)))
              for k, f in model.model_fields.items()}
    return create_model(name, __base__=Strict, __doc__=doc, **fields)
