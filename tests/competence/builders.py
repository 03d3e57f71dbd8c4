"""Certifications and staff with every kind of status, written in a few executemany statements (for the
competence tests and bench/bench_competence.py)."""

import hashlib
import random
from datetime import date, timedelta

import sqlalchemy as sa

from portal.certification.core.status import add_months
from portal.extensions import db
from portal.models import (
    Assignment,
    AssignmentSource,
    Certification,
    CertificationCycle,
    CertificationVersion,
    CycleState,
    Membership,
    Module,
    Organisation,
    Position,
    ProgressStatus,
    SectionKind,
    SectionProgress,
    SectionVersion,
    Unit,
    User,
)

CERTIFICATION_YAML = """\
title: {{sv: "Certifiering {n:02d}", en: "Certification {n:02d}"}}
version: "1.0"
requirements:
  - module: modul-{n:02d}
validity_months: 24
window_days: 60
expiry_base: previous_expiry
new_staff_due_days: 30
"""


def make_certifications(count: int, first: int = 1) -> list[Certification]:
    """`count` active certifications (valid 24 months, window 60 days), each with one version."""
    made = []
    for n in range(first, first + count):
        source = CERTIFICATION_YAML.format(n=n)
        certification = Certification(slug=f"certifiering-{n:02d}", position=n)
        db.session.add(certification)
        db.session.flush()
        version = CertificationVersion(
            certification_id=certification.id,
            version="1.0",
            checksum=hashlib.sha256(source.encode()).hexdigest(),
            source=source,
            title={"sv": f"Certifiering {n:02d}", "en": f"Certification {n:02d}"},
        )
        db.session.add(version)
        db.session.flush()
        certification.current_version = version
        made.append(certification)
    db.session.commit()
    return made


# (share, kind): what each (person, certification) pair gets
MIX = (
    (0.10, "none"),  # not assigned
    (0.45, "certified"),
    (0.10, "window_open"),
    (0.08, "expired"),
    (0.03, "revoked"),
    (0.12, "overdue"),
    (0.12, "not_started"),
)


def _kind(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for share, kind in MIX:
        total += share
        if roll < total:
            return kind
    return "none"


def add_staff(
    organisation: Organisation,
    units: list[Unit],
    count: int,
    certifications: list[Certification],
    today: date,
    seed: int = 1,
    prefix: str = "staff",
) -> list[int]:
    """`count` active employees spread over `units`, with assignments and cycles of every status on
    `today` (a tenth of the pairs not assigned; some earlier cycles superseded); returns their ids."""
    rng = random.Random(seed)
    people = [
        {
            "organisation_id": organisation.id,
            "username": f"{prefix}-{n:05d}",
            "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {n:05d}",
            "active": True,
            "session_token": f"{prefix}{n}",
            "roles": frozenset(),
        }
        for n in range(1, count + 1)
    ]
    db.session.execute(sa.insert(User), people)
    ids = list(
        db.session.scalars(
            sa.select(User.id).where(User.username.like(f"{prefix}-%")).order_by(User.username)
        )
    )
    db.session.execute(
        sa.insert(Membership),
        [
            {
                "user_id": user_id,
                "unit_id": rng.choice(units).id,
                "position": rng.choice((Position.ASSISTANT_NURSE, Position.CARE_ASSISTANT)),
                "started_on": date(2024, 1, 8),
            }
            for user_id in ids
        ],
    )
    assignments, cycles = [], []
    for user_id in ids:
        for certification in certifications:
            kind = _kind(rng)
            if kind == "none":
                continue
            due = today + timedelta(days=rng.randint(5, 120))
            if kind == "overdue":
                due = today - timedelta(days=rng.randint(1, 60))
            assignments.append(
                {"user_id": user_id, "certification_id": certification.id, "source": AssignmentSource.RULE,
                 "due_on": due}
            )  # fmt: skip
            if kind in ("overdue", "not_started"):
                continue
            ends = {
                "certified": today + timedelta(days=rng.randint(61, 700)),
                "window_open": today + timedelta(days=rng.randint(0, 59)),
                "expired": today - timedelta(days=rng.randint(1, 300)),
                "revoked": today + timedelta(days=rng.randint(30, 300)),
            }[kind]
            base = {"user_id": user_id, "certification_id": certification.id,
                    "certification_version_id": certification.current_version_id,
                    "organisation_id": organisation.id, "evidence": {}}  # fmt: skip
            if rng.random() < 0.3:  # an earlier cycle, archived by a renewal
                cycles.append(
                    {**base, "state": CycleState.SUPERSEDED, "certified_on": add_months(ends, -48),
                     "valid_until": add_months(ends, -24), "verification_code": _code(rng)}
                )  # fmt: skip
            cycles.append(
                {**base, "state": CycleState.REVOKED if kind == "revoked" else CycleState.ACTIVE,
                 "certified_on": add_months(ends, -24), "valid_until": ends,
                 "revoked_on": today - timedelta(days=3) if kind == "revoked" else None,
                 "verification_code": _code(rng)}
            )  # fmt: skip
    if assignments:
        db.session.execute(sa.insert(Assignment), assignments)
    if cycles:
        db.session.execute(sa.insert(CertificationCycle), cycles)
    db.session.commit()
    return ids


def _code(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(26))


FIRST = ("Alva", "Ebba", "Olle", "Nils", "Leila", "Hassan", "Ingrid", "Tove", "Åsa", "Örjan", "Amira", "Sven")
LAST = ("Andersson", "Johansson", "Karlsson", "Persson", "Mohammed", "Gustafsson", "Öberg", "Lindberg")


def add_progress(user_ids: list[int], slug: str) -> None:
    """The people have started a section of the module `slug` (made, with that section, if need be)."""
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    if module is None:
        module = Module(slug=slug)
        db.session.add(module)
        db.session.flush()
    section = SectionVersion(
        module_id=module.id, slug=f"avsnitt-{len(user_ids)}", kind=SectionKind.TEXT,
        checksum=hashlib.sha256(f"{slug}{user_ids}".encode()).hexdigest(), title={"sv": "Avsnitt"},
        body_html={}, toc={},
    )  # fmt: skip
    db.session.add(section)
    db.session.flush()
    db.session.execute(
        sa.insert(SectionProgress),
        [{"user_id": user_id, "section_version_id": section.id, "status": ProgressStatus.STARTED}
         for user_id in user_ids],
    )  # fmt: skip
    db.session.commit()
