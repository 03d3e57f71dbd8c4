"""Public verification of a certificate by its code: reading a typed code, the certificate's live
status for a stranger, and the limit on guessing (counted in the database, so every worker agrees)."""

import enum
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal.certification.core import Status, derive_status
from portal.certification.services import as_cycle, definition_of
from portal.extensions import db
from portal.models import CertificationCycle, CycleState, VerificationMiss, utcnow

# The letters and digits of services.new_verification_code: no 0/O, 1/I to mistake for each other.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 26
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.]+")
# An office or a night-shift room shares one address; a guesser misses on nearly every try.
MAX_MISSES = 20
WINDOW_MINUTES = 5


def normalise_code(typed: str | None) -> str | None:
    """The code as stored ('abcd-efgh …' -> 'ABCDEFGH…'), or None when it cannot be a code."""
    code = _SEPARATORS.sub("", typed or "").upper()
    return code if _CODE.fullmatch(code) else None


def group_code(code: str) -> str:
    """The code in groups of four or five, as printed: easier to read aloud and to type."""
    groups = math.ceil(len(code) / 5)
    size, longer = divmod(len(code), groups)
    sizes = [size] * (groups - longer) + [size + 1] * longer
    starts = [sum(sizes[:i]) for i in range(groups)]
    return " ".join(code[start : start + length] for start, length in zip(starts, sizes, strict=True))


class PublicStatus(enum.StrEnum):
    """What a verifier needs to know, in order of precedence."""

    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # a renewal replaced it: the newer certificate is the one that counts
    EXPIRED = "expired"
    WINDOW_OPEN = "window_open"  # still valid; its holder is due to renew
    VALID = "valid"


@dataclass(frozen=True)
class Verification:
    cycle: CertificationCycle
    status: PublicStatus
    ends_on: date  # the last valid day: valid_until, or an earlier renew-by day


def verification_of(cycle: CertificationCycle, today: date) -> Verification:
    """The certificate's status on `today`, derived from its records like every other status."""
    definition = definition_of(cycle.version)
    standing = derive_status(today, as_cycle(cycle), definition.window_days)
    ends_on = as_cycle(cycle).ends_on
    if cycle.state is CycleState.REVOKED or standing.status is Status.REVOKED:
        return Verification(cycle, PublicStatus.REVOKED, ends_on)
    if cycle.state is CycleState.SUPERSEDED:
        return Verification(cycle, PublicStatus.SUPERSEDED, ends_on)
    status = {Status.EXPIRED: PublicStatus.EXPIRED, Status.WINDOW_OPEN: PublicStatus.WINDOW_OPEN}
    return Verification(cycle, status.get(standing.status, PublicStatus.VALID), ends_on)


def find_cycle(code: str) -> CertificationCycle | None:
    return db.session.scalar(
        sa.select(CertificationCycle).where(CertificationCycle.verification_code == code)
    )


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    minutes = config.get("VERIFY_WINDOW_MINUTES", WINDOW_MINUTES)
    return config.get("VERIFY_MAX_MISSES", MAX_MISSES), timedelta(minutes=minutes)


def wait_seconds(remote_addr: str, now: datetime | None = None) -> int:
    """Seconds until this address may look a code up again; 0 when it may now."""
    now = now or utcnow()
    allowed, window = _limits()
    misses = list(
        db.session.scalars(
            sa.select(VerificationMiss.at)
            .where(VerificationMiss.remote_addr == remote_addr, VerificationMiss.at > now - window)
            .order_by(VerificationMiss.at.desc())
            .limit(allowed)
        )
    )
    if len(misses) < allowed:
        return 0
    return max(1, math.ceil((misses[-1] + window - now).total_seconds()))


def record_miss(remote_addr: str, now: datetime | None = None) -> None:
    """Count a lookup of an unknown code, and forget misses older than the window; the caller commits."""
    now = now or utcnow()
    _allowed, window = _limits()
    db.session.execute(sa.delete(VerificationMiss).where(VerificationMiss.at <= now - window))
    db.session.add(VerificationMiss(remote_addr=remote_addr[:64], at=now))
