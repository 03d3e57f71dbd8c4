"""Login throttling from the recorded attempts, so that every worker sees the same counts."""

import logging
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db
from portal.models import LoginAttempt, utcnow

log = logging.getLogger("portal.auth")

# Offices and night-shift rooms share one address, so the address limit is kinder than the account's.
ADDRESS_FACTOR = 4


def _recent_failures(column: sa.ColumnElement[str], value: str, since: datetime) -> list[datetime]:
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(column == value, LoginAttempt.succeeded)
    )
    start = max(since, last_success) if last_success else since
    return list(
        db.session.scalars(
            sa.select(LoginAttempt.at)
            .where(column == value, ~LoginAttempt.succeeded, LoginAttempt.at > start)
            .order_by(LoginAttempt.at)
        )
    )


def locked_minutes(username: str, remote_addr: str, now: datetime | None = None) -> int:
    """Minutes until this account or address may try again; 0 when it may try now."""
    now = now or utcnow()
    window = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    waits = []
    for column, value, allowed in (
        (LoginAttempt.username, username, limit),
        (LoginAttempt.remote_addr, remote_addr, limit * ADDRESS_FACTOR),
    ):
        failures = _recent_failures(column, value, now - window)
        if len(failures) >= allowed:
            waits.append(failures[-allowed] + window - now)
    longest = max(waits, default=timedelta(0))
    return math.ceil(longest.total_seconds() / 60) if longest > timedelta(0) else 0


def record_attempt(username: str, remote_addr: str, user_id: int | None, succeeded: bool) -> None:
    """Store and log one attempt; the caller commits."""
    db.session.add(
        LoginAttempt(username=username, remote_addr=remote_addr, user_id=user_id, succeeded=succeeded)
    )
    if succeeded:
        log.info("login succeeded user=%s addr=%s", username, remote_addr)
    else:
        log.warning("login failed user=%s addr=%s", username, remote_addr)
