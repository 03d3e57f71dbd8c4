"""Finding, authenticating and updating accounts. Callers commit."""

import sqlalchemy as sa

from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.extensions import db, login_manager
from portal.models import User, utcnow


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def find_user(login: str) -> User | None:
    """The account whose username or email is ``login`` (case-insensitive)."""
    login = normalise_username(login)
    if not login:
        return None
    return db.session.scalar(
        sa.select(User).where(sa.or_(User.username == login, sa.func.lower(User.email) == login))
    )


def authenticate(user: User | None, password: str) -> User | None:
    """``user`` if active and ``password`` is theirs, else None; upgrades an outdated hash."""
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password and sign out every other session of the account."""
    user.password_hash = hash_password(password)
    user.rotate_session_token()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    key, _, token = user_id.partition(":")
    if not key.isdigit():
        return None
    # The user's row alone: every page needs it, few need the organisation or memberships, which load
    # when first read (joining them here cost every request twice the time).
    user = db.session.get(User, int(key))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user
