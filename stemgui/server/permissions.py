"""Who may read and write what: BrainSTEM's project-membership model, as SQL clauses.

- private portal: records of projects where the user is a member (directly or via a group);
  writes need ``can_change``; member management, the name and ``is_public`` of a project, and
  linking a record into a public project (which publishes it) need ``is_manager``/``is_owner``.
- public portal: read-only, records of projects with ``is_public``.
- super portal: superusers only, everything.
Taxonomies and resources ("open" scope) are readable by all; only their creator or a
superuser may change or delete them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, bindparam, exists, func, or_, select, true, union, union_all
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.expression import UnaryExpression

from stemgui.server.resources import Resource
from stemgui.server.tables import Project, ProjectGroup, ProjectUser, User, group_members, subject_projects


def _member_links(user_id: str | BindParameter, *columns: str) -> tuple[Select, Select]:
    """The user's memberships, direct and via a group: two selects of ``project_id`` and ``columns``
    (permission flags), one per kind of link."""
    direct = select(ProjectUser.project_id, *(getattr(ProjectUser, name) for name in columns)).where(
        ProjectUser.user_id == user_id
    )
    via_group = (
        select(ProjectGroup.project_id, *(getattr(ProjectGroup, name) for name in columns))
        .join(group_members, group_members.c.group_id == ProjectGroup.group_id)
        .where(group_members.c.user_id == user_id)
    )
    return direct, via_group


def member_projects(user_id: str, *flags: str) -> Select:
    """Ids of projects where the user is a member (with any of ``flags``), directly or via a group."""
    direct, via_group = _member_links(user_id)
    if flags:
        direct = direct.where(or_(*(getattr(ProjectUser, flag).is_(True) for flag in flags)))
        via_group = via_group.where(or_(*(getattr(ProjectGroup, flag).is_(True) for flag in flags)))
    return union(direct, via_group)


# The statements of ``_memberships``, built once (the user a parameter): every request runs them,
# and building and keying a statement of unions and a subquery cost more in Python than running
# it (issue 17). Shared by every request's thread: running a built statement does not change it.
_PROJECT_COUNT = select(func.count()).select_from(Project)
_MEMBERSHIPS = (
    union_all(*_member_links(bindparam("user_id"), "can_change")).subquery().select()
    .add_columns(_PROJECT_COUNT.scalar_subquery())
)  # fmt: skip


def _memberships(db: DbSession, user_id: str) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(readable, writable project ids, how many projects there are) in one query: every request
    asks them, and each query costs more in Python than in the database."""
    rows = db.execute(_MEMBERSHIPS, {"user_id": user_id}).all()
    readable = sorted({project for project, _, _ in rows})
    writable = sorted({project for project, can_change, _ in rows if can_change})
    count = rows[0][2] if rows else db.scalar(_PROJECT_COUNT)  # a member of nothing: counted on its own
    return tuple(readable), tuple(writable), count


@dataclass(frozen=True)
class Access:
    """The caller (``user`` is None on the public portal without a token), the portal, and the
    ids of the projects they may read and change (None: all). Made once per request by ``for_request``."""

    portal: str
    user: User | None
    readable: tuple[str, ...] | None = None
    writable: tuple[str, ...] | None = None
    sqlite: bool = False

    @classmethod
    def for_request(cls, db: DbSession, portal: str, user: User | None) -> Access:
        """Look the caller's projects up once; the scopes then use plain id lists (fast on big tables)."""
        sqlite = db.get_bind().dialect.name == "sqlite"
        if portal == "super":
            return cls(portal, user, sqlite=sqlite)
        if portal == "public":
            public = tuple(db.scalars(select(Project.id).where(Project.is_public.is_(True))))
            return cls(portal, user, public, (), sqlite)
        readable, writable, total = _memberships(db, user.id)
        # Every session and subject has at least one project (writes require one; deleting a
        # project deletes what it alone held), so a member of every project sees everything:
        # skip the per-row check then, which matters on big tables.
        return cls(
            portal,
            user,
            None if len(readable) == total else readable,
            None if len(writable) == total else writable,
            sqlite,
        )

    @property
    def everything(self) -> bool:
        return self.portal == "super"

    def scope(self, resource: Resource, write: bool = False, entity=None) -> ColumnElement | None:
        """A WHERE clause limiting ``resource`` to what the caller may read (or change); None: all.

        ``entity`` is an alias of the resource's table to limit instead of the table itself (a
        step of a relation path); its link tables are then aliased too, so the clause correlates
        with that alias only, never with another use of the same table around it.
        """
        orm = resource.orm if entity is None else entity
        if resource.scope in ("open", "personal"):
            if write and not self.everything and not (self.user and self.user.is_superuser):
                return orm.creator_id == self.user.id
            if resource.scope == "personal" and self.portal == "public":
                return orm.is_public.is_(True)
            return None
        if resource.scope == "parent":  # a stock as its inventory, equipment as its setup
            from stemgui.server.resources import RESOURCES  # the registry imports this module's users

            rel = resource.to_one[resource.parent]
            parent = RESOURCES[rel.target]
            clause = self.scope(parent, write)
            if clause is None:
                return None
            return getattr(orm, rel.column).in_(select(parent.orm.id).where(clause))
        projects = self.writable if write else self.readable
        if projects is None:
            return None
        if resource.scope == "project":
            return orm.id.in_(projects)
        # a correlated EXISTS lets SQLite walk the list in index order and stop after one page
        if resource.scope == "subject":
            link = subject_projects.c if entity is None else subject_projects.alias().c
            return exists().where(link.subject_id == orm.subject_id, self._among(link.project_id, projects))
        rel = resource.project_link
        link = rel.table.c if entity is None else rel.table.alias().c
        return exists().where(link[rel.owner] == orm.id, self._among(link.project_id, projects))

    def readable_ids(self, resource: Resource, column) -> ColumnElement | None:
        """A clause keeping ``column`` (ids of ``resource`` records) to records the caller may
        read; None: all are readable."""
        if resource.scope == "open" or self.readable is None:
            return None
        if resource.scope == "project":
            return column.in_(self.readable)
        entity = aliased(resource.orm)
        clause = self.scope(resource, entity=entity)
        if clause is None:  # shared records (licenses, inventories) every signed-in user reads
            return None
        return exists().where(entity.id == column, clause)

    def _among(self, column, projects: tuple[str, ...]) -> ColumnElement:
        """``column IN projects``; on SQLite written ``+column`` so the row's own link rows are found
        by one seek on the link table's primary key and the project list is checked in memory,
        instead of one seek per project for every row of a page (or count)."""
        if self.sqlite:
            column = UnaryExpression(column, operator=operators.custom_op("+"))
        return column.in_(projects)

    def allowed(self, db: DbSession, resource: Resource, record_id: str, write: bool = False) -> bool:
        """Whether the caller may read (or change) the record ``record_id``."""
        clause = self.scope(resource, write)
        stmt = select(exists().where(resource.orm.id == record_id, clause if clause is not None else true()))
        return bool(db.scalar(stmt))

    def project_role(self, db: DbSession, project_id: str, *flags: str) -> bool:
        """Whether the caller has one of ``flags`` (e.g. is_manager, is_owner) in the project."""
        if self.everything:
            return True
        owned = member_projects(self.user.id, *flags)
        return bool(db.scalar(select(exists().where(Project.id == project_id, Project.id.in_(owned)))))
