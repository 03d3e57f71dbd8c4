"""Changes an administrator makes to units and people; every change is audited. Callers commit."""

from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from portal import audit
from portal.auth.services import set_password
from portal.extensions import db
from portal.models import Membership, Position, Role, Unit, UnitKind, User


def org_unit(unit_id: int) -> Unit:
    """The unit in the admin's own organisation, or 404: other organisations do not exist here."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.organisation_id != current_user.organisation_id:
        abort(404)
    return unit


def org_user(user_id: int) -> User:
    """The person in the admin's own organisation, or 404."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


def org_units(organisation_id: int, active_only: bool = False) -> list[Unit]:
    query = sa.select(Unit).where(Unit.organisation_id == organisation_id).order_by(Unit.name)
    if active_only:
        query = query.where(Unit.is_active)
    return list(db.session.scalars(query))


def unit_name_taken(organisation_id: int, name: str, except_id: int | None = None) -> bool:
    query = sa.select(Unit.id).where(
        Unit.organisation_id == organisation_id, sa.func.lower(Unit.name) == name.strip().lower()
    )
    if except_id is not None:
        query = query.where(Unit.id != except_id)
    return db.session.scalar(query) is not None


def save_unit(unit: Unit, name: str, kind: UnitKind, is_active: bool) -> Unit:
    before = {"name": unit.name, "kind": unit.kind, "is_active": unit.is_active}
    unit.name, unit.kind, unit.is_active = name.strip(), kind, is_active
    db.session.add(unit)
    db.session.flush()
    after = {"name": unit.name, "kind": unit.kind, "is_active": unit.is_active}
    changed = {k: [str(before[k]), str(after[k])] for k in after if before[k] != after[k]}
    audit.record("unit.saved", unit, unit.organisation_id, **changed)
    return unit


def username_taken(username: str, except_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.username == username)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def email_taken(email: str | None, except_id: int | None = None) -> bool:
    if not email:
        return False
    query = sa.select(User.id).where(sa.func.lower(User.email) == email.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def save_user(user: User, data: dict, managed: list[Unit]) -> User:
    """Apply the form's fields, roles and managed units to ``user`` and audit the difference."""
    before = _user_snapshot(user)
    user.username = data["username"]
    user.full_name = data["full_name"].strip()
    user.email = data["email"]
    user.language = data["language"]
    user.set_roles({Role(value) for value in data["roles"]})
    user.managed_units = managed
    db.session.add(user)
    db.session.flush()
    after = _user_snapshot(user)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record("user.saved", user, user.organisation_id, **changed)
    return user


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "language": user.language,
        "roles": sorted(role.value for role in user.roles),
        "managed_units": sorted(unit.name for unit in user.managed_units),
    }


def add_membership(user: User, unit: Unit, position: Position, started_on: date) -> Membership:
    membership = Membership(user=user, unit=unit, position=position, started_on=started_on)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        "membership.started",
        user,
        user.organisation_id,
        unit=unit.name,
        position=position.value,
        started_on=started_on.isoformat(),
    )
    return membership


def end_membership(membership: Membership, ended_on: date) -> None:
    membership.ended_on = ended_on
    audit.record(
        "membership.ended",
        membership.user,
        membership.user.organisation_id,
        unit=membership.unit.name,
        position=membership.position.value,
        ended_on=ended_on.isoformat(),
    )


def set_active(user: User, active: bool) -> None:
    """Deactivate or reactivate: people with records are never deleted."""
    user.active = active
    if not active:
        user.rotate_session_token()
    audit.record("user.activated" if active else "user.deactivated", user, user.organisation_id)


def reset_password(user: User, password: str) -> None:
    set_password(user, password)
    audit.record("user.password_set", user, user.organisation_id)
