"""Passwords (bcrypt) and API tokens (random, stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import os
import secrets

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from stemgui.server.tables import Token, User


def _rounds() -> int:
    """bcrypt cost: 12 unless ``STEMGUI_BCRYPT_ROUNDS`` says otherwise (test suites may lower it)."""
    try:
        return min(max(int(os.environ.get("STEMGUI_BCRYPT_ROUNDS", "12")), 4), 16)
    except ValueError:
        return 12


def hash_password(password: str) -> str:
    """A bcrypt hash of ``password`` (bcrypt reads at most 72 bytes)."""
    return bcrypt.hashpw(password.encode("utf-8")[:72], bcrypt.gensalt(_rounds())).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches the stored hash; an unusable hash never matches."""
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], password_hash.encode("ascii"))
    except ValueError:
        return False


def unusable_password() -> str:
    """A stored value no password matches (for system users such as the demo owner)."""
    return "!" + secrets.token_hex(20)


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(db: DbSession, user: User) -> str:
    """Create, store (hashed) and return a fresh token for ``user``; the caller commits."""
    token = secrets.token_hex(20)
    db.add(Token(key_hash=token_hash(token), user_id=user.id))
    return token


def authenticate(db: DbSession, username: str, password: str) -> User | None:
    """The user with these credentials, else None."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not check_password(password, user.password_hash):
        return None
    return user


def user_for_token(db: DbSession, token: str) -> User | None:
    """The owner of ``token``, else None."""
    stmt = select(User).join(Token, Token.user_id == User.id).where(Token.key_hash == token_hash(token))
    return db.scalar(stmt)
