"""Create, change and delete records: validation (stemgui.models), relation and uniqueness checks.

Each function works inside the caller's transaction and raises ApiProblem before writing
anything invalid; the route commits once, so nothing is ever half-written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.orm import Session as DbSession

from stemgui.models import validate_record
from stemgui.server import history, members
from stemgui.server import tables as t
from stemgui.server.permissions import Access
from stemgui.server.problems import bad_request, forbidden, forbidden_fields
from stemgui.server.resources import RESOURCES, Resource
from stemgui.server.serialize import serialize
from stemgui.server.tables import ProjectUser

_MEMBER_FIELDS = ("users", "groups")
_MANAGED_FIELDS = {  # project fields only a manager or owner may change (as its members)
    "is_public": "Only a manager or owner of the project may make it public or private.",
    "name": "Only a manager or owner of the project may rename it.",
}


def _missing(value: str) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


def _read_only(target: str, name: str) -> str:
    if target == "subject":  # a subject's rights come from its projects
        return f"You may not add records to subject '{name}': you have read-only access to its projects."
    return f"You may not add records to {target} '{name}': you have read-only access."


def _wanted(resource: Resource, data: dict, keep: dict) -> dict[str, tuple[str, list[str]]]:
    """Field -> (target resource, related ids to check); ids already linked (``keep``) are not rechecked."""
    wanted: dict[str, tuple[str, list[str]]] = {}
    for name, rel in resource.to_one.items():
        if data.get(name) and data[name] != keep.get(name):
            wanted[name] = (rel.target, [data[name]])
    for name, rel in resource.to_many.items():
        if rel.writable and data.get(name):
            ids = [value for value in dict.fromkeys(data[name]) if value not in (keep.get(name) or ())]
            if ids:
                wanted[name] = (rel.target, ids)
    return wanted


def _names(db: DbSession, target: Resource, ids, clause) -> dict[str, str]:
    """Id -> name of the ``target`` records among ``ids`` that match ``clause`` (None: all)."""
    if not ids:
        return {}
    label = getattr(target.orm, "name", target.orm.id)  # consumable stocks have no name: their id
    stmt = select(target.orm.id, label).where(target.orm.id.in_(list(ids)))
    return dict(db.execute(stmt.where(clause) if clause is not None else stmt).all())


def _check_relations(
    db: DbSession, access: Access, resource: Resource, data: dict, keep: dict
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(missing, read-only): related ids that the caller cannot read (reported like missing ones, so
    existence does not leak) and those they can read but not change (project-scoped targets)."""
    missing: dict[str, list[str]] = {}
    read_only: dict[str, list[str]] = {}
    for name, (target_name, ids) in _wanted(resource, data, keep).items():
        target = RESOURCES[target_name]
        readable = _names(db, target, ids, access.scope(target))
        if bad := [_missing(value) for value in ids if value not in readable]:
            missing[name] = bad
        if target.scope in ("open", "personal", "parent") and name != resource.parent:
            continue  # shared records (taxonomies, stocks, equipment, licenses): any reader may refer to them
        writable = _names(db, target, readable, access.scope(target, write=True))
        denied = [label for value, label in readable.items() if value not in writable]
        if denied:
            read_only[name] = [_read_only(target_name, label) for label in denied]
    return missing, read_only


def _check_unique(db: DbSession, resource: Resource, data: dict, own_id: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for fields in resource.unique:
        same = and_(*(getattr(resource.orm, name) == data[name] for name in fields))
        if own_id:
            same = and_(same, resource.orm.id != own_id)
        if db.scalar(select(exists().where(same))):
            label = " and ".join(fields)
            errors.setdefault(fields[-1], []).append(f"A {resource.name} with this {label} already exists.")
    return errors


def _validated(db: DbSession, access: Access, resource: Resource, body: Any, current: dict | None) -> dict:
    """The validated record; 400 for bad values, 403 for related records the caller may only read."""
    record, errors = validate_record(resource.name, body)
    if errors:
        raise bad_request(errors)
    data = record.model_dump()
    missing, read_only = _check_relations(db, access, resource, data, current or {})
    errors = missing | _check_unique(db, resource, data, current["id"] if current else None)
    if errors:
        raise bad_request(errors)
    if read_only:
        raise forbidden_fields(read_only)
    return data


def _store(db: DbSession, resource: Resource, row, data: dict, replace_links: set[str]) -> None:
    """Copy validated ``data`` onto ``row`` and (re)write the named to-many link rows."""
    columns = resource.orm.__table__.c
    for name in data:
        if name in resource.to_one:
            setattr(row, resource.to_one[name].column, data[name])
        elif name in columns and name not in ("id", *_MEMBER_FIELDS):
            setattr(row, name, data[name])
    db.flush()
    for name in replace_links:
        rel = resource.to_many[name]
        link = rel.table.c
        db.execute(delete(rel.table).where(link[rel.owner] == row.id))
        values = list(dict.fromkeys(data[name]))
        if values:
            db.execute(insert(rel.table), [{rel.owner: row.id, rel.value: value} for value in values])


def _writable_links(resource: Resource) -> set[str]:
    return {name for name, rel in resource.to_many.items() if rel.writable}


def create(db: DbSession, access: Access, resource: Resource, body: Any) -> dict:
    """Validate and insert a record; the response dict."""
    data = _validated(db, access, resource, body, None)
    row = resource.orm(creator_id=access.user.id if access.user else None)
    db.add(row)
    _store(db, resource, row, data, _writable_links(resource))
    if resource.name == "project":  # the creator becomes its owner and only member
        db.add(ProjectUser(project_id=row.id, user_id=access.user.id, can_change=True, is_manager=True,
                           is_owner=True))  # fmt: skip
        db.flush()
    after = serialize(db, resource, [row])[0]
    history.record(db, access, resource, row, history.CREATE, None, after)
    return after


def update(
    db: DbSession, access: Access, resource: Resource, row, body: Any, before: dict | None = None
) -> dict:
    """Apply a partial change (PATCH): the merged record is validated like a new one.

    ``before``: the record as it was before this request (for its history row; default: now)."""
    if not isinstance(body, dict):
        raise bad_request({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    # the caller's snapshot from before the version claim differs from now only in updated_at
    current = before if before is not None else serialize(db, resource, [row])[0]
    if changed := [name for name in resource.fixed if name in body and body[name] != current[name]]:
        raise bad_request({name: [f"The {name} of a {resource.name} cannot be changed."] for name in changed})
    merged = {name: current[name] for name in resource.writable_fields if name not in _MEMBER_FIELDS}
    merged.update({key: value for key, value in body.items() if key not in _MEMBER_FIELDS})
    for name, version in resource.versions.items():  # a new type/system starts at its newest schema
        if name in body and body[name] != current[name] and version not in body:
            merged[version] = None
    data = _validated(db, access, resource, merged, current)
    if resource.name == "project":
        _check_managed_fields(db, access, row.id, data, current)
    elif resource.project_link is not None:
        _check_publishing_link(db, access, current["projects"], data["projects"])
    _store(db, resource, row, data, _writable_links(resource) & set(body))
    if resource.name == "project" and any(key in body for key in _MEMBER_FIELDS):
        if not access.project_role(db, row.id, "is_manager", "is_owner"):
            raise forbidden("Only a manager or owner of the project may change its members.")
        members.apply(db, row.id, {key: body.get(key) for key in _MEMBER_FIELDS})
    db.flush()
    after = serialize(db, resource, [row])[0]
    history.record(db, access, resource, row, history.UPDATE, current, after)
    return after


def _check_managed_fields(db: DbSession, access: Access, project_id: str, data: dict, current: dict) -> None:
    """403 naming the fields when a member without is_manager/is_owner changes the project's
    name or is_public: publishing makes every record of the project world-readable."""
    changed = {name: message for name, message in _MANAGED_FIELDS.items() if data[name] != current[name]}
    if changed and not access.project_role(db, project_id, "is_manager", "is_owner"):
        raise forbidden_fields({name: [message] for name, message in changed.items()})


def _check_publishing_link(db: DbSession, access: Access, current: list[str], wanted: list[str]) -> None:
    """403 on ``projects`` when linking a record that is not yet public into a public project
    (which publishes it) by someone who does not manage every project it is in now."""

    def any_public(ids) -> bool:
        public = exists().where(t.Project.id.in_(list(ids)), t.Project.is_public.is_(True))
        return bool(ids) and bool(db.scalar(select(public)))

    added = set(wanted) - set(current)
    if not any_public(added) or any_public(current):
        return  # nothing is published, or it already was
    if not all(access.project_role(db, project_id, "is_manager", "is_owner") for project_id in current):
        message = "A public project would publish this record: only managers or owners of its projects may."
        raise forbidden_fields({"projects": [message]})


def remove(db: DbSession, access: Access, resource: Resource, row, before: dict | None = None) -> None:
    """Delete a record (a project only by its owner; a shared resource only while unused); its
    links go with it. Every record deleted gets its history row (``before``: as it was before
    this request)."""
    if resource.name == "project" and not access.project_role(db, row.id, "is_owner"):
        raise forbidden("Only an owner of the project may delete it.")
    if resource.scope in SHARED_SCOPES:
        _check_unused(db, resource, row.id)
    unlinked = history.linked(db, resource, row.id)  # records that lose their link to this one
    if resource.name == "project":
        _delete_held_only_by(db, access, row.id)
    history.record_deletes(db, access, resource, [row], before)
    db.execute(delete(resource.orm).where(resource.orm.id == row.id))
    history.record_link_changes(db, access, unlinked)


SHARED_SCOPES = ("open", "personal", "parent")  # records other records point at across labs and kinds


def _check_unused(db: DbSession, resource: Resource, record_id: str) -> None:
    """400 naming what still refers to a shared record (a consumable, supplier, region, license,
    stock, equipment...): deleting it would blank the field in other records (a procedure would
    forget its virus lot or license) or trip a foreign key."""
    uses = _uses(db, resource, [record_id])
    if uses:
        message = f"This {resource.name} is still used by {', '.join(uses)}; change or delete those first."
        raise bad_request({"non_field_errors": [message]})


def _uses(db: DbSession, resource: Resource, record_ids: list[str]) -> list[str]:
    """What refers to ``record_ids`` of ``resource``: to-one fields and lists of ids of other
    records. Records deleted with it (a stock of a deleted inventory) are not uses, but what
    refers to *them* is."""
    uses = []
    for other in RESOURCES.values():
        for name, rel in other.to_one.items():
            if rel.target != resource.name:
                continue
            column = getattr(other.orm, rel.column)
            if other.scope == "parent" and other.parent == name:  # cascaded with this record
                children = list(db.scalars(select(other.orm.id).where(column.in_(record_ids))))
                uses += _uses(db, other, children) if children else []
                continue
            count = db.scalar(select(func.count()).select_from(other.orm).where(column.in_(record_ids)))
            if count:
                uses.append(f"{count} {other.list_key.replace('_', ' ')} (as their {name})")
        for name, link in other.to_many.items():
            if link.target != resource.name or other.scope in SHARED_SCOPES:
                continue  # a shared record's own lists (a license's subjects) are the same links seen back
            value = link.table.c[link.value]
            count = db.scalar(
                select(func.count(func.distinct(link.table.c[link.owner]))).where(value.in_(record_ids))
            )
            if count:
                uses.append(f"{count} {other.list_key.replace('_', ' ')} (in their {name})")
    return uses


def _delete_held_only_by(db: DbSession, access: Access, project_id: str) -> None:
    """Delete the sessions and subjects (with their actions) that belong to no other project."""
    for link, owner, model in (
        (t.session_projects, "session_id", "session"),
        (t.subject_projects, "subject_id", "subject"),
    ):
        orm = RESOURCES[model].orm
        elsewhere = select(link.c[owner]).where(link.c.project_id != project_id)
        alone = select(link.c[owner]).where(link.c.project_id == project_id, link.c[owner].not_in(elsewhere))
        doomed = db.scalars(select(orm).where(orm.id.in_(alone))).all()
        history.record_deletes(db, access, RESOURCES[model], doomed)
        db.execute(delete(orm).where(orm.id.in_(alone)))
