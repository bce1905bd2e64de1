"""Per-record history (issue 15, a bundled-server extension): recording and reading.

``record`` adds one ``RecordHistory`` row inside the caller's transaction — the route commits the
write and its history together or neither. Rows carry the record in its API shape before and
after (relation ids included), so a diff reads like the API.

Who may read a record's history: whoever may read the record now; for a deleted record, whoever
could read it as of its last version, judged by the ``guard`` kept in that version's row (its
projects for project-scoped records, its members for a project, its creator for taxonomies and
personal records). Restoring needs the same with write rights.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, insert, select
from sqlalchemy.orm import Session as DbSession

from stemgui.server import settings
from stemgui.server.permissions import Access, member_projects
from stemgui.server.resources import RESOURCES, Resource
from stemgui.server.serialize import serialize
from stemgui.server.tables import Project, ProjectGroup, ProjectUser, group_members, now, subject_projects
from stemgui.server.tables_history import RecordHistory

CREATE, UPDATE, DELETE, RESTORE = "create", "update", "delete", "restore"


def enabled() -> bool:
    """False only with ``STEMGUI_HISTORY=off``: for bench/bench_history.py's comparison, never in use."""
    return settings.current().history


def snapshot(db: DbSession, resource: Resource, row) -> dict:
    """The record as the API shows it (relation ids, a project's members)."""
    return serialize(db, resource, [row])[0]


def _member_ids(db: DbSession, project_id: str, owners_only: bool = False) -> list[str]:
    direct = select(ProjectUser.user_id).where(ProjectUser.project_id == project_id)
    via_group = (
        select(group_members.c.user_id)
        .join(ProjectGroup, ProjectGroup.group_id == group_members.c.group_id)
        .where(ProjectGroup.project_id == project_id)
    )
    if owners_only:
        direct = direct.where(ProjectUser.is_owner.is_(True))
        via_group = via_group.where(ProjectGroup.is_owner.is_(True))
    return sorted(set(db.scalars(direct)) | set(db.scalars(via_group)))


def guard_of(db: DbSession, resource: Resource, row, shape: dict | None = None) -> dict:
    """What decides who may read and change ``row`` (kept, so it still decides once it is deleted);
    ``shape``: the record's API shape, if at hand (its ``projects`` then need no query)."""
    if resource.scope == "projects" and shape is not None and isinstance(shape.get("projects"), list):
        return {"projects": sorted(shape["projects"])}
    if resource.scope == "project":
        return {"readers": _member_ids(db, row.id), "owners": _member_ids(db, row.id, owners_only=True)}
    if resource.scope == "projects":
        link = resource.project_link
        ids = db.scalars(select(link.table.c.project_id).where(link.table.c[link.owner] == row.id))
        return {"projects": sorted(ids)}
    if resource.scope == "subject":
        link = subject_projects.c
        return {
            "projects": sorted(db.scalars(select(link.project_id).where(link.subject_id == row.subject_id)))
        }
    if resource.scope == "parent":
        parent_resource = RESOURCES[resource.to_one[resource.parent].target]
        parent = db.get(parent_resource.orm, getattr(row, resource.to_one[resource.parent].column))
        return guard_of(db, parent_resource, parent) if parent is not None else {"creator": None}
    return {"creator": row.creator_id, "public": bool(getattr(row, "is_public", False))}


def may(db: DbSession, access: Access, guard: dict, write: bool = False) -> bool:
    """Whether the caller may read (or change) a record with this ``guard``, as ``Access.scope``
    decides for live records (the guard's projects must still exist: ``Access`` lists only those)."""
    if access.everything:
        return True
    user = access.user
    if user is None:
        return False
    if "readers" in guard:  # a project: its members (owners to change it)
        return user.id in guard["owners" if write else "readers"]
    if "projects" in guard:  # a record of projects, directly or through its subject
        if not guard["projects"]:
            return False
        mine = member_projects(user.id, *(("can_change",) if write else ()))
        found = exists().where(Project.id.in_(guard["projects"]), Project.id.in_(mine))
        return bool(db.scalar(select(found)))
    if not write:
        return True  # open and personal records: every signed-in user of this server reads them
    return user.is_superuser or guard.get("creator") == user.id


def _changed(before: dict | None, after: dict | None) -> list[str]:
    """The fields that differ; the version stamp (``updated_at``) changes on every write: not listed."""
    keys = dict.fromkeys([*(before or {}), *(after or {})])
    return [key for key in keys if key != "updated_at" and (before or {}).get(key) != (after or {}).get(key)]


def record(
    db: DbSession, access: Access, resource: Resource, row, operation: str,
    before: dict | None, after: dict | None,
) -> None:  # fmt: skip
    """Add the history row of one write of ``row`` (call after the write, before the commit)."""
    if not enabled():
        return
    user = access.user
    values = dict(
        model=resource.name, record_id=row.id, operation=operation, at=now(),
        user_id=user.id if user else None, username=user.username if user else "",
        before=before, after=after, changed=_changed(before, after),
        guard=guard_of(db, resource, row, after if after is not None else before), creator_id=row.creator_id,
        created_at=getattr(row, "created_at", None),
    )  # fmt: skip
    # a plain INSERT (no ORM bookkeeping): a failing one fails the request, and the write with it
    db.execute(insert(RecordHistory), values)


def record_deletes(
    db: DbSession, access: Access, resource: Resource, rows, before: dict | None = None
) -> None:
    """History rows for deleting ``rows`` and every record the database deletes with them (a
    subject's actions and procedures, an inventory's stocks, a setup's equipment): call before
    the DELETE, while they can still be read. ``before``: ``rows[0]`` as it was before this request."""
    if not enabled():
        return
    for index, row in enumerate(rows):
        for other, dependents in cascades(db, resource, row):
            record_deletes(db, access, other, dependents)
        shape = before if before is not None and index == 0 else snapshot(db, resource, row)
        record(db, access, resource, row, DELETE, shape, None)


def cascades(db: DbSession, resource: Resource, row) -> list[tuple[Resource, list]]:
    """(resource, rows) that a foreign key deletes together with ``row`` (ON DELETE CASCADE)."""
    found = []
    for other in RESOURCES.values():
        for rel in other.to_one.values():
            if rel.target != resource.name:
                continue
            column = other.orm.__table__.c[rel.column]
            if any(fk.ondelete == "CASCADE" for fk in column.foreign_keys):
                rows = db.scalars(select(other.orm).where(column == row.id)).all()
                if rows:
                    found.append((other, rows))
    return found


def _latest_id(resource: Resource):
    return (
        select(func.max(RecordHistory.id))
        .where(RecordHistory.model == resource.name)
        .group_by(RecordHistory.record_id)
    )


def latest(db: DbSession, resource: Resource, record_id: str) -> RecordHistory | None:
    """The newest history row of one record (its last known version), or None."""
    stmt = (
        select(RecordHistory)
        .where(RecordHistory.model == resource.name, RecordHistory.record_id == record_id)
        .order_by(RecordHistory.id.desc())
        .limit(1)
    )
    return db.scalar(stmt)


def entries(db: DbSession, resource: Resource, record_id: str, limit: int, offset: int) -> tuple[list, int]:
    """One page of a record's history rows, newest first, and how many there are."""
    where = (RecordHistory.model == resource.name, RecordHistory.record_id == record_id)
    rows = db.scalars(
        select(RecordHistory).where(*where).order_by(RecordHistory.id.desc()).limit(limit).offset(offset)
    ).all()
    count = db.scalar(select(func.count()).select_from(RecordHistory).where(*where))
    return list(rows), count


def deleted(db: DbSession, access: Access, resource: Resource) -> list[RecordHistory]:
    """The last rows of this model's records that are deleted now and the caller may restore, newest first."""
    stmt = (
        select(RecordHistory)
        .where(
            RecordHistory.id.in_(_latest_id(resource)),
            RecordHistory.operation == DELETE,
            RecordHistory.record_id.not_in(select(resource.orm.id)),
        )
        .order_by(RecordHistory.id.desc())
    )
    return [row for row in db.scalars(stmt) if may(db, access, row.guard, write=True)]


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") + "Z" if value else None


def entry_json(row: RecordHistory, hide_members: bool = False) -> dict:
    """One history row as the API shows it."""

    def shown(shape: dict | None) -> dict | None:
        if shape is None or not hide_members:
            return shape
        return {key: value for key, value in shape.items() if key not in ("users", "groups")}

    return {
        "id": row.id,
        "model": row.model,
        "record_id": row.record_id,
        "operation": row.operation,
        "user": {"id": row.user_id, "username": row.username},
        "date_time": _stamp(row.at),
        "changed": list(row.changed or ()),
        "before": shown(row.before),
        "after": shown(row.after),
    }


def deleted_json(row: RecordHistory) -> dict:
    """A deleted record as the "recently deleted" list shows it: its last version and who deleted it."""
    return {
        "id": row.record_id,
        "model": row.model,
        "deleted_at": _stamp(row.at),
        "deleted_by": {"id": row.user_id, "username": row.username},
        "history_id": row.id,
        "record": row.before,
    }


def linked(db: DbSession, resource: Resource, record_id: str) -> list[tuple[Resource, object, dict]]:
    """(resource, row, API shape now) of the records whose own fields name ``record_id``: a
    writable list of ids (a session's ``projects``, a procedure's ``licenses``) or a to-one that
    the database empties on delete (a procedure's ``consumablestock``). Deleting the record
    changes them; take this before the DELETE and pass it to ``record_link_changes`` after it."""
    if not enabled():
        return []
    found = []
    for other in RESOURCES.values():
        ids: set[str] = set()
        for rel in other.to_many.values():
            if rel.writable and rel.target == resource.name:
                link = rel.table.c
                ids |= set(db.scalars(select(link[rel.owner]).where(link[rel.value] == record_id)))
        for rel in other.to_one.values():
            column = other.orm.__table__.c[rel.column]
            if rel.target == resource.name and any(fk.ondelete == "SET NULL" for fk in column.foreign_keys):
                ids |= set(db.scalars(select(other.orm.id).where(column == record_id)))
        ids.discard(record_id)
        if ids:
            rows = db.scalars(select(other.orm).where(other.orm.id.in_(ids))).all()
            shapes = serialize(db, other, rows)
            found += [(other, row, shape) for row, shape in zip(rows, shapes, strict=True)]
    return found


def record_link_changes(db: DbSession, access: Access, records: list[tuple[Resource, object, dict]]) -> None:
    """An ``update`` row for each of ``records`` ((resource, row, API shape before)) that is still
    there and changed: links lost with a deleted record (``linked``) or regained with a restored
    one. A record deleted along with the other one has its own ``delete`` row already."""
    for resource, row, before in records:
        if not db.scalar(select(exists().where(resource.orm.id == row.id))):
            continue
        db.refresh(row)  # the database changed it (ON DELETE CASCADE / SET NULL), not this session
        after = snapshot(db, resource, row)
        if _changed(before, after):
            record(db, access, resource, row, UPDATE, before, after)
