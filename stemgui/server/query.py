"""List query parameters -> SQL: ``filter{field[.op]}``, ``sort[]``, ``include[]``, ``limit``/``offset``.

Filters may cross relations (``filter{projects.id}``, ``filter{subject.name.icontains}``);
a leading ``-`` excludes (``filter{-name}``). An unknown field is a 400 naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import JSON, Boolean, ColumnElement, String, cast, exists, false, literal, not_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal

from stemgui.server.problems import bad_request
from stemgui.server.resources import RESOURCES, Resource

PAGE_MAX = 100
_FILTER_KEY = re.compile(r"^filter\{(-?)([A-Za-z0-9_.]+)\}$")
OPERATORS = (
    "eq", "exact", "iexact", "in", "isnull", "contains", "icontains",
    "startswith", "istartswith", "endswith", "iendswith", "gt", "gte", "lt", "lte",
)  # fmt: skip


@dataclass
class ListQuery:
    """The parsed list parameters of one request."""

    where: list[ColumnElement] = field(default_factory=list)
    order: list = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    limit: int = PAGE_MAX
    offset: int = 0


class _ILike(ColumnElement):
    """``column ILIKE pattern`` (escape ``\\``). On SQLite it is written as plain LIKE: SQLite's LIKE
    already ignores ASCII case (and its lower() folds only ASCII), so the result is the same
    without a lower() call on every row, which is most of the cost of counting matches."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]
    type = NullType()  # a Boolean type would make SQLite render "... = 1"

    def __init__(self, column, pattern: str) -> None:
        self.column = column
        self.pattern = literal(pattern)


@compiles(_ILike)
def _ilike_default(element: _ILike, compiler, **kw) -> str:
    return compiler.process(element.column.ilike(element.pattern, escape="\\"), **kw)


@compiles(_ILike, "sqlite")
def _ilike_sqlite(element: _ILike, compiler, **kw) -> str:
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _coerce(column, value: str, param: str):
    if isinstance(getattr(column, "type", column), Boolean):
        lowered = value.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise bad_request({param: [f"'{value}' is not a boolean (use true or false)."]})
        return lowered in ("true", "1")
    return value


def _compare(column, op: str, raw: str, param: str) -> ColumnElement:
    """One column compared with one filter value."""
    if isinstance(column.type, JSON):  # tags and the like: match on the JSON text
        text = cast(column, String)
        if op in ("eq", "exact"):
            return text.like(f'%"{_like(raw)}"%', escape="\\")
        if op == "icontains":
            return _ILike(text, f"%{_like(raw)}%")
        raise bad_request({param: [f"Operator '{op}' is not supported on this field."]})
    if op == "isnull":
        return column.is_(None) if _coerce(Boolean(), raw, param) else column.is_not(None)
    if op == "in":
        return column.in_([_coerce(column, part, param) for part in raw.split(",")])
    value = _coerce(column, raw, param)
    if op in ("gt", "gte", "lt", "lte"):
        return {"gt": column > value, "gte": column >= value, "lt": column < value, "lte": column <= value}[
            op
        ]
    if op in ("eq", "exact"):
        return column == value
    if op == "iexact":
        return _ILike(column, _like(raw))
    pattern = {
        "contains": f"%{_like(raw)}%", "icontains": f"%{_like(raw)}%",
        "startswith": f"{_like(raw)}%", "istartswith": f"{_like(raw)}%",
        "endswith": f"%{_like(raw)}", "iendswith": f"%{_like(raw)}",
    }[op]  # fmt: skip
    # SQLite's LIKE ignores ASCII case, like Django's on SQLite; ilike is case-insensitive everywhere.
    return _ILike(column, pattern) if op.startswith("i") else column.like(pattern, escape="\\")


def _split_op(parts: list[str]) -> tuple[list[str], str]:
    if parts and parts[-1] in OPERATORS:
        return parts[:-1], parts[-1]
    return parts, "eq"


def condition(resource: Resource, parts: list[str], raw: str, param: str) -> ColumnElement:
    """The WHERE clause of one filter path on ``resource`` (recursing across relations)."""
    unknown = bad_request({param: [f"Unknown filter field '{'.'.join(parts)}' on {resource.name}."]})
    head, rest = parts[0], parts[1:]
    orm = resource.orm
    if head == "id" or head in resource.columns:
        path, op = _split_op(rest)
        if path:
            raise unknown
        return _compare(getattr(orm, head), op, raw, param)
    if head in resource.to_one:
        rel = resource.to_one[head]
        path, op = _split_op(rest)
        if path in ([], ["id"]):
            return _compare(getattr(orm, rel.column), op, raw, param)
        target = RESOURCES[rel.target]
        inner = condition(target, rest, raw, param)
        return getattr(orm, rel.column).in_(select(target.orm.id).where(inner))
    if head in resource.unserved:  # a relation this server does not hold yet is always empty
        return false()
    if head in resource.to_many:
        rel = resource.to_many[head]
        path, op = _split_op(rest)
        link = rel.table.c
        if path in ([], ["id"]):
            matched = _compare(link[rel.value], op, raw, param)
        else:
            target = RESOURCES[rel.target]
            matched = link[rel.value].in_(select(target.orm.id).where(condition(target, rest, raw, param)))
        return exists().where(link[rel.owner] == orm.id, matched)  # correlated: stops at a full page
    raise unknown


def _sort(resource: Resource, names: list[str]) -> list:
    order = []
    for name in names:
        key = name[1:] if name.startswith("-") else name
        if key != "id" and not resource.sortable(key):
            raise bad_request({"sort[]": [f"Unknown sort field '{key}' on {resource.name}."]})
        column = getattr(resource.orm, key)
        # NULLs last in both directions, the same on SQLite (>= 3.30) and PostgreSQL; indexes still apply
        order.append((column.desc() if name.startswith("-") else column.asc()).nulls_last())
    if not names:
        order += [getattr(resource.orm, key) for key in resource.default_sort]
    # the id breaks ties in the direction of the last key, so an index on (key, id) serves the order
    return order + [resource.orm.id.desc() if names and names[-1].startswith("-") else resource.orm.id]


def _int(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request({name: [f"'{raw}' is not a whole number."]}) from None
    if not 0 <= value <= 2**31:
        raise bad_request({name: [f"Must be between 0 and {2**31}."]})
    return value


def _includes(resource: Resource, values: list[str]) -> list[str]:
    names = []
    for value in values:
        name = value.removesuffix(".*")
        if name not in resource.to_one and name not in resource.to_many and name not in resource.unserved:
            raise bad_request({"include[]": [f"Unknown relation '{value}' on {resource.name}."]})
        names.append(name)
    return names


def parse_include(resource: Resource, params) -> list[str]:
    """Just the ``include[]`` relations (detail views take no filters)."""
    return _includes(resource, params.getlist("include[]") + params.getlist("include"))


def parse(resource: Resource, params) -> ListQuery:
    """Parse a request's query parameters (a starlette ``QueryParams``) for ``resource``."""
    query = ListQuery()
    for key, raw in params.multi_items():
        if "\x00" in key or "\x00" in raw:
            raise bad_request({key.replace("\x00", ""): ["Null characters are not allowed."]})
        match = _FILTER_KEY.match(key)
        if match:
            clause = condition(resource, match.group(2).split("."), raw, key)
            query.where.append(not_(clause) if match.group(1) else clause)
        elif key.startswith("filter"):
            raise bad_request({key: ["Malformed filter; use filter{field} or filter{field.operator}."]})
    query.order = _sort(resource, params.getlist("sort[]") + params.getlist("sort"))
    query.include = parse_include(resource, params)
    query.limit = min(_int(params, "limit", PAGE_MAX), PAGE_MAX)
    query.offset = _int(params, "offset", 0)
    return query
