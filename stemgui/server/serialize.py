"""ORM rows -> response dicts, a page at a time: one extra query per to-many relation, never per row."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import DateTime, Select, bindparam, select
from sqlalchemy.orm import Session as DbSession

from stemgui.server.permissions import Access
from stemgui.server.resources import RESOURCES, Resource, ToMany
from stemgui.server.tables import Group, ProjectGroup, ProjectUser, User

PERMISSIONS = ("can_change", "is_manager", "is_owner")


@cache
def _many_statement(rel: ToMany) -> Select:
    """The related ids of the owners in the parameter ``ids``. Built once per relation: building
    and keying it with a page's 100 ids as literals cost more than running it (issue 17)."""
    link = rel.table.c
    owners = link[rel.owner].in_(bindparam("ids", expanding=True))
    return select(link[rel.owner], link[rel.value]).where(owners).order_by(link[rel.value])


def _many(db: DbSession, rel: ToMany, ids: list[str]) -> dict[str, list[str]]:
    """owner id -> related ids, for a whole page in one query."""
    found: dict[str, list[str]] = defaultdict(list)
    if not ids:
        return found
    for owner, value in db.execute(_many_statement(rel), {"ids": ids}):  # flushes a write's links first
        found[owner].append(value)
    return found


def _members(db: DbSession, ids: list[str]) -> tuple[dict, dict]:
    """project id -> {email: permissions} and project id -> {group name: permissions}."""
    users: dict[str, dict] = defaultdict(dict)
    groups: dict[str, dict] = defaultdict(dict)
    if not ids:
        return users, groups
    rows = db.execute(
        select(ProjectUser, User.email)
        .join(User, User.id == ProjectUser.user_id)
        .where(ProjectUser.project_id.in_(ids))
        .order_by(User.email)
    )
    for member, email in rows:
        users[member.project_id][email] = {key: getattr(member, key) for key in PERMISSIONS}
    rows = db.execute(
        select(ProjectGroup, Group.name)
        .join(Group, Group.id == ProjectGroup.group_id)
        .where(ProjectGroup.project_id.in_(ids))
        .order_by(Group.name)
    )
    for member, name in rows:
        groups[member.project_id][name] = {key: getattr(member, key) for key in PERMISSIONS}
    return users, groups


@cache
def _fields(model: str) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """(name, make default) of each public field; pydantic's get_default is slow per call."""
    made = []
    for name, info in RESOURCES[model].public_fields.items():
        factory = info.default_factory or (lambda value=info.default: copy.deepcopy(value))
        made.append((name, factory))
    return tuple(made)


@cache
def _stamps(model: str) -> tuple[str, ...]:
    """The public fields of ``model`` stored as date-times (shown as ISO 8601 text)."""
    resource = RESOURCES[model]
    return tuple(name for name, column in resource.columns.items() if isinstance(column.type, DateTime))


def _shape(resource: Resource, values: dict) -> dict:
    """``values`` in the public field order, missing (read-only) fields at their defaults."""
    return {name: values[name] if name in values else make() for name, make in _fields(resource.name)}


def serialize(
    db: DbSession,
    resource: Resource,
    rows: Sequence,
    include: Sequence[str] = (),
    access: Access | None = None,
    embedded: bool = False,
) -> list[dict]:
    """The response dicts of ``rows`` (one page), with ``include`` relations embedded as objects.

    With ``access``, only records the caller may read are embedded (others stay ids), and the
    public portal shows no project ``users``/``groups`` (no emails to anonymous readers).
    ``embedded`` records leave out their read-only reverse lists (a project's ``datasets``, a
    subject's ``actions``): they can hold thousands of ids, repeated in every embedding record.
    """
    hide_members = access is not None and access.portal == "public"
    ids = [row.id for row in rows]
    skipped = {name for name, rel in resource.to_many.items() if embedded and not rel.writable}
    many = {name: _many(db, rel, ids) for name, rel in resource.to_many.items() if name not in skipped}
    users, groups = _members(db, ids) if resource.name == "project" and not hide_members else ({}, {})
    columns = list(resource.columns)
    stamps = _stamps(resource.name)
    result = []
    for row in rows:
        values = {name: getattr(row, name) for name in columns}
        for name in stamps:  # created_at / updated_at as ISO 8601 in UTC
            values[name] = values[name].isoformat(timespec="microseconds") + "Z" if values[name] else None
        values.update({name: getattr(row, rel.column) for name, rel in resource.to_one.items()})
        values.update({name: found.get(row.id, []) for name, found in many.items()})
        if resource.name == "project":
            values["users"], values["groups"] = users.get(row.id, {}), groups.get(row.id, {})
        shaped = _shape(resource, values)
        for name in skipped:
            del shaped[name]
        result.append(shaped)
    for name in include:
        if name not in resource.unserved:  # those stay the empty lists they are
            _embed(db, resource, name, result, access)
    return result


def _embed(db: DbSession, resource: Resource, name: str, records: list[dict], access: Access | None) -> None:
    """Replace the ids of relation ``name`` by the readable related records (one query for the page)."""
    single = name in resource.to_one
    target_name = resource.to_one[name].target if single else resource.to_many[name].target
    target = RESOURCES[target_name]
    wanted = {rid for rec in records for rid in ([rec[name]] if single else rec[name]) if rid}
    scope = access.scope(target) if access is not None else None
    stmt = select(target.orm).where(target.orm.id.in_(wanted), *([scope] if scope is not None else []))
    rows = db.scalars(stmt).all() if wanted else []
    by_id = {item["id"]: item for item in serialize(db, target, rows, access=access, embedded=True)}
    for rec in records:  # what the caller may not read stays a bare id, as without include
        if single:
            rec[name] = by_id.get(rec[name], rec[name])
        else:
            rec[name] = [by_id.get(rid, rid) for rid in rec[name]]
