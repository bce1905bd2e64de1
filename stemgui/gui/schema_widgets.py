"""The Streamlit inputs of a JSON Schema: `render_schema_inputs` draws `schema_form`'s field
specs, keeps what is typed in session state, and returns the payload.

Slots: a caller that judges the payload only after it is drawn (plausibility warnings, issue 14)
passes a dict as `slots`; each field's path then maps to an empty container right under its
input, and `show_warnings` fills them."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import streamlit as st

from stemgui.schema_form import (
    DATE_BOUNDS,
    MISSING,
    STATE_PREFIX,
    FieldSpec,
    extra_field_specs,
    field_specs,
    is_number,
    misfit,
    misfit_warning,
    payload_value,
    schema_defaults,
    widget_value,
)
from stemgui.unit_steps import unit_step


def widget_key(key: str, path: str) -> str:
    """The Streamlit key of the widget for field `path` ("a" or "a.b") of the form `key`."""
    return f"{key}.{path}"


def _shadow_key(key: str, path: str) -> str:
    return f"{STATE_PREFIX}{key}.{path}"


def input_errors(key: str) -> dict[str, str]:
    """Field path -> message for inputs of form `key` that could not be read on the last run."""
    return dict(st.session_state.get(f"{STATE_PREFIX}{key}::errors", {}))


def clear_schema_inputs(key: str) -> None:
    """Forget what was typed in form `key` (and forms keyed below it); call before drawing it."""
    ss = st.session_state
    ours = (f"{key}.", f"{STATE_PREFIX}{key}.", f"{STATE_PREFIX}{key}::")
    for name in [k for k in ss if isinstance(k, str) and k.startswith(ours)]:
        del ss[name]


Slots = MutableMapping[str, Any]  # field path -> the container right under its input


def show_warnings(warnings: Mapping[str, list[str]], slots: Mapping[str, Any], rest: Any = None,
                  labels: Mapping[str, str] | None = None) -> None:  # fmt: skip
    """Each field's warnings (field path -> messages) in its slot; a field without one in `rest`
    (default: here), named by `labels` or its path. Warnings only inform: nothing is refused."""
    for path, messages in warnings.items():
        slot = slots.get(path)
        for message in messages:
            if slot is not None:
                slot.warning(message, icon=":material/help:")
            else:
                name = (labels or {}).get(path, path)
                (rest or st).warning(f"{name}: {message}", icon=":material/help:")


def render_schema_inputs(schema: dict, key: str, value: dict | None = None, *,
                         errors: Mapping[str, str] | None = None, no_prefill: Collection[str] = (),
                         slots: Slots | None = None) -> dict:  # fmt: skip
    """Draw one input per property of `schema` and return the payload (unset optional fields omitted).

    Inputs are prefilled from `value`, else (None or {}) from the schema defaults, except the
    properties in `no_prefill`: their default is no real choice (an injection of 0 nL), so they
    start empty with the default as a hint. What the user
    types is kept across reruns and while the form is not drawn (switching type away and back);
    passing a different `value` than on the previous run refills the inputs from it. `errors` (field path ->
    message, e.g. from `validate_payload` or the server) are shown under their fields. `slots`, if
    given, receives each field path's container under its input (module docstring).
    """
    ss = st.session_state
    value_key = f"{STATE_PREFIX}{key}::value"
    reset = value_key in ss and ss[value_key] != value
    ss[value_key] = copy.deepcopy(value)
    defaults = {name: v for name, v in schema_defaults(schema).items() if name not in no_prefill}
    originals = value if isinstance(value, dict) and value else defaults
    specs = [replace(spec, placeholder_default=True) if spec.name in no_prefill else spec
             for spec in field_specs(schema)]
    specs += extra_field_specs(schema, value if isinstance(value, dict) else None)
    problems: dict[str, str] = {}
    payload = _draw_fields(specs, key, "", originals, reset, errors or {}, problems, slots)
    ss[f"{STATE_PREFIX}{key}::errors"] = problems
    return payload


def _draw_fields(specs: list[FieldSpec], key: str, prefix: str, originals: Mapping, reset: bool,
                 errors: Mapping[str, str], problems: dict[str, str], slots: Slots | None = None) -> dict:
    """Draw `specs` in order; the payload of the fields that are set."""
    payload: dict[str, Any] = {}
    for spec in specs:
        path = f"{prefix}{spec.name}"
        original = originals.get(spec.name, MISSING)
        reason = misfit(spec, original)
        if reason is not None:  # shown as text, flagged, kept as stored unless changed
            _show_warning(misfit_warning(spec, reason))
            spec = replace(spec, kind="json", children=())
        if spec.kind == "group":
            result = _draw_group(spec, key, path, original, reset, errors, problems, slots)
        elif spec.kind == "quantity":
            result = _draw_quantity(spec, key, path, original, reset, errors)
        else:
            result = _draw_field(spec, key, path, original, reset, problems)
        if path in errors:
            _show_error(errors[path])
        if slots is not None:
            slots[path] = st.container()  # filled after the whole payload is known
        if result is not MISSING:
            payload[spec.name] = result
    return payload


def _draw_group(spec: FieldSpec, key: str, path: str, original: Any, reset: bool,
                errors: Mapping[str, str], problems: dict[str, str], slots: Slots | None) -> Any:
    """A nested object: its fields side by side on one row ({value, unit} pairs)."""
    names = [child.name for child in spec.children]
    pair = sorted(names) == ["unit", "value"]
    if not pair:
        st.markdown(f"**{spec.label}**", help=spec.help)
    nested = original if isinstance(original, dict) else {}
    result: dict[str, Any] = {}
    columns = st.columns(len(spec.children)) if len(spec.children) <= 4 else [st.container()] * len(names)
    for column, child in zip(columns, spec.children, strict=True):
        if pair and child.name == "value":
            # The pair reads as one field: the value input carries the object's own label.
            child = replace(child, label=spec.label, help=spec.help or child.help)
        with column:
            result.update(_draw_fields([child], key, f"{path}.", nested, reset, errors, problems, slots))
    if not result:
        return copy.deepcopy(original) if original == {} else MISSING
    return result


def _draw_quantity(spec: FieldSpec, key: str, path: str, original: Any, reset: bool,
                   errors: Mapping[str, str]) -> Any:
    """A `{value, unit}` quantity: a number input beside a select of the schema's units.

    The widgets' keys are those of the pair's own fields (`<path>.value`, `<path>.unit`), so a
    server message about "injectionVolume.value" lands here too. The unit select is drawn first
    (in the right-hand column) because the number's step follows the chosen unit.
    """
    ss = st.session_state
    value_key, unit_key = widget_key(key, f"{path}.value"), widget_key(key, f"{path}.unit")
    shadow_value, shadow_unit = _shadow_key(key, f"{path}.value"), _shadow_key(key, f"{path}.unit")
    number, unit = widget_value(spec, original)
    for wkey, skey, start in ((value_key, shadow_value, number), (unit_key, shadow_unit, unit)):
        if reset or wkey not in ss:
            ss[wkey] = ss[skey] if skey in ss and not reset else start
    number_column, unit_column = st.columns([3, 1], vertical_alignment="bottom")
    with unit_column:
        chosen = st.selectbox(f"Unit of {spec.label.removesuffix(' *')}", list(spec.unit_options),
                              key=unit_key, label_visibility="collapsed")
    with number_column:
        typed = st.number_input(spec.label, value=None, step=unit_step(chosen), format="%g",
                                placeholder="required" if spec.required else "optional",
                                key=value_key, help=spec.help)
    ss[shadow_value], ss[shadow_unit] = typed, chosen
    for sub in (f"{path}.value", f"{path}.unit"):
        if sub in errors:
            _show_error(errors[sub])
    return payload_value(spec, (typed, chosen), original)


def _draw_field(spec: FieldSpec, key: str, path: str, original: Any, reset: bool,
                problems: dict[str, str]) -> Any:
    """One widget, with its typed value kept in our own state while it is not drawn."""
    ss = st.session_state
    wkey, skey = widget_key(key, path), _shadow_key(key, path)
    if reset or wkey not in ss:
        ss[wkey] = ss[skey] if skey in ss and not reset else widget_value(spec, original)
    shown = _draw(spec, wkey)
    ss[skey] = shown
    try:
        return payload_value(spec, shown, original)
    except ValueError as exc:
        problems[path] = str(exc)
        _show_error(str(exc))
        return MISSING


def _show_error(message: str) -> None:
    st.error(message, icon=":material/error:")


def _show_warning(message: str) -> None:
    st.warning(message, icon=":material/warning:")


def _draw(spec: FieldSpec, wkey: str) -> Any:
    """The Streamlit widget for `spec`; its value comes from session state under `wkey`."""
    common = {"key": wkey, "help": spec.help}
    kind = spec.kind
    if kind in ("number", "integer"):
        return st.number_input(spec.label, value=None, step=spec.step, format="%d" if kind == "integer"
                               else "%g", placeholder=_placeholder(spec), **common)
    if kind == "select":
        return st.selectbox(spec.label, list(spec.options), index=None, placeholder="Choose…", **common)
    if kind == "tristate":
        return st.selectbox(spec.label, [True, False], index=None, placeholder="Not set",
                            format_func=lambda v: "Yes" if v else "No", **common)
    if kind == "boolean":
        return st.checkbox(spec.label, **common)
    if kind == "multiselect":
        return st.multiselect(spec.label, list(spec.options), **common)
    if kind == "date":
        return st.date_input(spec.label, value=None, min_value=DATE_BOUNDS[0],
                             max_value=DATE_BOUNDS[1], format="YYYY-MM-DD", **common)
    if kind == "datetime":
        return st.datetime_input(spec.label, value=None, min_value=datetime.combine(DATE_BOUNDS[0],
                                 datetime.min.time()), max_value=datetime.combine(DATE_BOUNDS[1],
                                 datetime.max.time()), format="YYYY-MM-DD", step=timedelta(minutes=1),
                                 **common)
    if kind in ("textarea", "lines", "json"):
        return st.text_area(spec.label, placeholder=_placeholder(spec), **common)
    return st.text_input(spec.label, **common)


def _placeholder(spec: FieldSpec) -> str | None:
    if spec.kind in ("number", "integer"):
        hint = [spec.units] if spec.units else []
        if spec.placeholder_default and is_number(spec.default) and spec.default:
            hint.append(f"e.g. {spec.default:g}")  # a zero default is no example (0 nL injected)
        hint.append("required" if spec.required else "optional")
        return ", ".join(hint)
    return {"lines": "One entry per line", "json": "JSON value"}.get(spec.kind)
