"""Passwords (bcrypt) and API tokens (random, stored only as SHA-256 hashes, with an expiry)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import bcrypt
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session as DbSession

from stemgui.server import settings
from stemgui.server.tables import Token, User, now


class IssuedToken(NamedTuple):
    """A new token as the caller sees it once (only its hash is stored)."""

    key: str
    expires_at: datetime


def token_lifetime() -> timedelta:
    """How long a token is valid (``STEMGUI_TOKEN_DAYS``, in the server's settings)."""
    return settings.current().token_lifetime


def _rounds() -> int:
    """bcrypt cost (``STEMGUI_BCRYPT_ROUNDS``, in the server's settings; test suites lower it)."""
    return settings.current().bcrypt_rounds


def hash_password(password: str) -> str:
    """A bcrypt hash of ``password`` (bcrypt reads at most 72 bytes)."""
    return bcrypt.hashpw(password.encode("utf-8")[:72], bcrypt.gensalt(_rounds())).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches the stored hash; an unusable hash never matches."""
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], password_hash.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode("ascii")


def dummy_password_check(password: str) -> None:
    """Spend what ``check_password`` costs, for an unknown username: the answer's timing must not
    tell which usernames exist."""
    check_password(password, _dummy_hash(_rounds()))


def unusable_password() -> str:
    """A stored value no password matches (for system users such as the demo owner)."""
    return "!" + secrets.token_hex(20)


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db: DbSession, user: User) -> IssuedToken:
    """Create and store (hashed) a fresh token for ``user``, valid for ``token_lifetime()``;
    the caller commits."""
    token, created = secrets.token_hex(20), now()
    expires_at = created + token_lifetime()
    db.add(Token(key_hash=token_hash(token), user_id=user.id, created_at=created, expires_at=expires_at))
    return IssuedToken(token, expires_at)


def authenticate(db: DbSession, username: str, password: str) -> User | None:
    """The user with these credentials, else None (an unknown user costs one bcrypt check too)."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        dummy_password_check(password)
        return None
    return user if check_password(password, user.password_hash) else None


# Built once (the token a parameter): building and keying it took about as long as running it.
_TOKEN_OWNER = (
    select(User, Token.created_at, Token.expires_at)
    .join(Token, Token.user_id == User.id)
    .where(Token.key_hash == bindparam("key_hash"))
)


def user_for_token(db: DbSession, token: str) -> User | None:
    """The owner of ``token`` while it is neither expired nor revoked, else None (one query:
    every API request asks it first)."""
    found = db.execute(_TOKEN_OWNER, {"key_hash": token_hash(token)}).first()
    if found is None:
        return None
    user, created_at, expires_at = found
    return user if (expires_at or created_at + token_lifetime()) > now() else None


def revoke_token(db: DbSession, token: str) -> int:
    """Revoke one token; how many were revoked (0 or 1). The caller commits."""
    return db.execute(delete(Token).where(Token.key_hash == token_hash(token))).rowcount


def revoke_tokens(db: DbSession, user: User) -> int:
    """Revoke every token of ``user`` (password changed, or they asked); how many. The caller commits."""
    return db.execute(delete(Token).where(Token.user_id == user.id)).rowcount


def set_password(db: DbSession, user: User, password: str) -> None:
    """Give ``user`` a new password and revoke their tokens, unless it is the password they have."""
    if user.password_hash and check_password(password, user.password_hash):
        return  # same password: keep the hash and the tokens issued with it
    user.password_hash = hash_password(password)
    if user.id is not None:
        revoke_tokens(db, user)
