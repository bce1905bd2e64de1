"""Project membership changes: the ``users``/``groups`` dictionaries of a project PATCH.

Each entry adds or updates a member (missing permissions default to False) or, with
``"remove": True``, removes it. A project always keeps at least one owner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from stemgui.server.problems import bad_request, echo
from stemgui.server.tables import Group, ProjectGroup, ProjectUser, User

PERMISSIONS = ("can_change", "is_manager", "is_owner")


def _entries(field: str, value: Any) -> dict[str, dict[str, bool]]:
    """Check the shape ``{key: {permission: bool, ...}}``; 400 on the field otherwise."""
    if not isinstance(value, dict):
        raise bad_request({field: ["Expected a dictionary of {key: {permission: true/false}}."]})
    for key, perms in value.items():
        if not isinstance(perms, dict) or not all(isinstance(v, bool) for v in perms.values()):
            raise bad_request({field: [f"{key}: expected a dictionary of permission: true/false."]})
        unknown = set(perms) - set(PERMISSIONS) - {"remove"}
        if unknown:
            raise bad_request({field: [f"{key}: unknown permission(s) {', '.join(sorted(unknown))}."]})
    return value


def _resolve(db: DbSession, field: str, keys: list[str]) -> dict[str, str]:
    """email (users) or group name (groups) -> id; 400 naming the unknown ones."""
    if field == "users":
        rows = db.execute(
            select(User.email, User.id).where(func.lower(User.email).in_([k.lower() for k in keys]))
        )
        found = {email.lower(): uid for email, uid in rows}
        resolved = {key: found.get(key.lower()) for key in keys}
    else:
        found = dict(db.execute(select(Group.name, Group.id).where(Group.name.in_(keys))).all())
        resolved = {key: found.get(key) for key in keys}
    missing = [key for key, value in resolved.items() if value is None]
    if missing:
        kind = "user with email" if field == "users" else "group named"
        raise bad_request({field: [f"There is no {kind} '{echo(key)}'." for key in missing]})
    return resolved


def apply(db: DbSession, project_id: str, changes: dict[str, Any]) -> None:
    """Apply ``{"users": {...}, "groups": {...}}`` (either may be None) to one project."""
    for field, table, column in (("users", ProjectUser, "user_id"), ("groups", ProjectGroup, "group_id")):
        if changes.get(field) is None:
            continue
        entries = _entries(field, changes[field])
        ids = _resolve(db, field, list(entries))
        for key, perms in entries.items():
            where = (table.project_id == project_id, getattr(table, column) == ids[key])
            db.execute(delete(table).where(*where))
            if not perms.get("remove"):
                values = {name: bool(perms.get(name, False)) for name in PERMISSIONS}
                db.add(table(project_id=project_id, **{column: ids[key]}, **values))
        db.flush()
    owners = select(func.count()).where(ProjectUser.project_id == project_id, ProjectUser.is_owner.is_(True))
    if not db.scalar(owners):
        raise bad_request({"users": ["A project must keep at least one owner (a user with is_owner)."]})


def add_user(db: DbSession, project_id: str, user_id: str, **perms: bool) -> None:
    """Make a user a member with ``perms`` (replacing any earlier membership)."""
    db.execute(
        delete(ProjectUser).where(ProjectUser.project_id == project_id, ProjectUser.user_id == user_id)
    )
    db.add(
        ProjectUser(project_id=project_id, user_id=user_id, **{k: bool(perms.get(k)) for k in PERMISSIONS})
    )
    db.flush()
