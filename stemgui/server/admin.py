"""The server's Python admin API (no HTTP): users, tokens, memberships, demo data.

Used by the CLI and by the GUI launcher that starts the bundled server.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from stemgui.errors import AdminError
from stemgui.server import demo, members, security
from stemgui.server.db import sessionmaker_for
from stemgui.server.tables import Group, Project, User, group_members

__all__ = ["AdminError"]  # raised here, defined in stemgui.errors (demo raises it too, without a cycle)


def _user(db, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise AdminError(f"There is no user {username!r}; create it with adduser first.")
    return user


def ensure_user(db_url: str, username: str, email: str, password: str, superuser: bool = False) -> None:
    """Create the user, or update the email, password and superuser flag of an existing one."""
    with sessionmaker_for(db_url).begin() as db:
        user = db.scalar(select(User).where(User.username == username))
        clash = db.scalar(select(User).where(User.email == email, User.username != username))
        if clash is not None:
            raise AdminError(f"The email {email!r} already belongs to user {clash.username!r}.")
        if user is None:
            user = User(username=username, email=email, password_hash="")
            db.add(user)
        user.email = email
        security.set_password(db, user, password)  # a changed password revokes the user's tokens
        user.is_superuser = superuser


def issue_token(db_url: str, username: str) -> str:
    """A fresh API token for an existing user (valid for ``security.token_lifetime()``)."""
    with sessionmaker_for(db_url).begin() as db:
        return security.issue_token(db, _user(db, username)).key


def revoke_tokens(db_url: str, username: str) -> int:
    """Revoke every API token of an existing user; how many there were."""
    with sessionmaker_for(db_url).begin() as db:
        return security.revoke_tokens(db, _user(db, username))


def token_owner(db_url: str, token: str) -> str | None:
    """The username whose live (unexpired, unrevoked) token this is, else None."""
    with sessionmaker_for(db_url)() as db:
        user = security.user_for_token(db, token)
        return user.username if user is not None else None


def add_member(
    db_url: str,
    username: str,
    project_name: str,
    can_change: bool = True,
    is_manager: bool = False,
    is_owner: bool = False,
) -> None:
    """Make an existing user a member of the named project with these permissions."""
    with sessionmaker_for(db_url).begin() as db:
        user = _user(db, username)
        project = db.scalar(select(Project).where(Project.name == project_name))
        if project is None:
            raise AdminError(f"There is no project named {project_name!r}.")
        members.add_user(db, project.id, user.id, can_change=can_change or is_manager or is_owner,
                         is_manager=is_manager or is_owner, is_owner=is_owner)  # fmt: skip


def ensure_group(db_url: str, name: str, usernames: Iterable[str] = ()) -> None:
    """Create the group if needed and add these existing users to it (project ``groups`` use its name)."""
    with sessionmaker_for(db_url).begin() as db:
        group = db.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name)
            db.add(group)
            db.flush()
        for username in usernames:
            user = _user(db, username)
            present = db.execute(
                select(group_members).where(
                    group_members.c.group_id == group.id, group_members.c.user_id == user.id
                )
            ).first()
            if present is None:
                db.execute(group_members.insert().values(group_id=group.id, user_id=user.id))


def delete_user(db_url: str, username: str) -> None:
    """Delete a user with their tokens and memberships (no error if there is none)."""
    with sessionmaker_for(db_url).begin() as db:
        db.execute(delete(User).where(User.username == username))


def load_demo(db_url: str, members: Iterable[str] = ()) -> None:
    """Load the demo lab (idempotent); ``members`` (existing usernames) become owners of its projects."""
    demo.load(db_url, tuple(members))
