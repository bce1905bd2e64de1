"""Bring a deleted record back (issue 15, a bundled-server extension): its last version, same id.

The last version is validated like a new record by the caller, so a name taken meanwhile or a
related record gone since is a 400 naming the field, and nothing is written. Its many-to-many
links come back too (to the related records that still exist), a project's members with them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session as DbSession

from stemgui.server import history, members, writes
from stemgui.server.permissions import Access
from stemgui.server.problems import bad_request, forbidden, not_found
from stemgui.server.resources import RESOURCES, Resource
from stemgui.server.serialize import serialize
from stemgui.server.tables import Group, User


def record_id_of(raw: str) -> str:
    """The canonical id, or 404 for text that is no id."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise not_found() from None


def last_deletion(db: DbSession, access: Access, resource: Resource, record_id: str, write: bool = False):
    """The history row of the record's deletion, if it is deleted and the caller may see it (404
    otherwise) and, with ``write``, restore it (403)."""
    last = history.latest(db, resource, record_id)
    if last is None or last.operation != history.DELETE or not history.may(db, access, last.guard):
        raise not_found()
    if write and not history.may(db, access, last.guard, write=True):
        raise forbidden(f"You may not restore this {resource.name}: you have read-only access to it.")
    return last


def restore(db: DbSession, access: Access, resource: Resource, record_id: str) -> tuple[dict, object]:
    """Re-create the deleted record ``record_id`` as it last was; (response dict, row)."""
    if db.get(resource.orm, record_id) is not None:
        if not access.allowed(db, resource, record_id):
            raise not_found()
        raise bad_request({"non_field_errors": [f"This {resource.name} is not deleted: nothing to restore."]})
    last = last_deletion(db, access, resource, record_id, write=True)
    shape = last.before or {}
    body = {
        name: shape[name]
        for name in resource.writable_fields
        if name in shape and name not in ("users", "groups")
    }
    data = writes._validated(db, access, resource, body, None)
    row = resource.orm(id=record_id, creator_id=last.creator_id)
    if last.created_at is not None and hasattr(row, "created_at"):
        row.created_at = last.created_at  # back in its place in lists ordered by creation
    db.add(row)
    writes._store(db, resource, row, data, writes._writable_links(resource))
    if resource.name == "project":
        _restore_members(db, access, row.id, shape)
    _relink(db, access, resource, row.id, shape)
    after = serialize(db, resource, [row])[0]
    history.record(db, access, resource, row, history.RESTORE, None, after)
    return after, row


def _restore_members(db: DbSession, access: Access, project_id: str, shape: dict) -> None:
    """The project's members as they were (those whose account or group still exists); the
    restoring user stays an owner if no former owner is left."""
    users = shape.get("users") or {}
    emails = {
        e.lower()
        for e in db.scalars(select(User.email).where(func.lower(User.email).in_([k.lower() for k in users])))
    }
    kept_users = {key: perms for key, perms in users.items() if key.lower() in emails}
    groups = shape.get("groups") or {}
    names = set(db.scalars(select(Group.name).where(Group.name.in_(list(groups)))))
    kept_groups = {key: perms for key, perms in groups.items() if key in names}
    if not any(perms.get("is_owner") for perms in kept_users.values()) and access.user is not None:
        kept_users[access.user.email] = {"can_change": True, "is_manager": True, "is_owner": True}
    members.apply(db, project_id, {"users": kept_users, "groups": kept_groups})


def _relink(db: DbSession, access: Access, resource: Resource, record_id: str, shape: dict) -> None:
    """Re-add the read-only reverse links kept in link tables (a project's sessions and subjects,
    a license's procedures) to the related records that still exist; each of those gets an
    ``update`` row (its own list of ids changed)."""
    record_tables = {res.orm.__table__ for res in RESOURCES.values()}
    done: set[tuple[str, str]] = set()
    for name, rel in resource.to_many.items():
        if rel.writable or rel.table in record_tables or (rel.table.name, rel.value) in done:
            continue  # writable links came back with the record; others are the other record's column
        done.add((rel.table.name, rel.value))
        target = RESOURCES[rel.target]
        wanted = [value for value in shape.get(name) or () if isinstance(value, str)]
        rows = db.scalars(select(target.orm).where(target.orm.id.in_(wanted))).all() if wanted else []
        if rows:
            before = serialize(db, target, rows)
            db.execute(insert(rel.table), [{rel.owner: record_id, rel.value: row.id} for row in rows])
            history.record_link_changes(
                db, access, [(target, row, was) for row, was in zip(rows, before, strict=True)]
            )
