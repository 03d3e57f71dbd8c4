"""The database side of the load run (bench/locustfile.py), on the database in DATABASE_URL as for flask.

accounts: sign-in accounts taken from whatever data the database holds (the national data set, or the demo
with synthetic staff): learners with a unit and no other role, and managers with units. They get one known
password, and the usernames go to a JSON file for the locustfile.

stored: of the quiz attempts whose hand-in the server acknowledged (the locustfile's BENCH_ACKS file), how
many the database holds as handed in, with their grading in the audit trail.

    .venv/bin/python bench/load_db.py accounts --learners 1000 --managers 20 --out accounts.json
    .venv/bin/python bench/load_db.py stored acks.json
"""

import argparse
import json
import random
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "Bench-last-2026"  # noqa: S105 - a benchmark's own accounts, on a database made for it


def learners(count: int, rng: random.Random) -> list[str]:
    from portal.extensions import db
    from portal.models import Membership, User

    with_unit = sa.select(Membership.user_id).where(Membership.ended_on.is_(None))
    names = db.session.scalars(
        sa.select(User.username)
        .where(User.active, User.roles.in_([frozenset(), frozenset({"learner"})]), User.id.in_(with_unit))
        .order_by(User.id)
    ).all()
    return rng.sample(list(names), min(count, len(names)))


def managers(count: int, rng: random.Random) -> list[str]:
    from portal.extensions import db
    from portal.models import User
    from portal.models.user import managed_unit

    names = db.session.scalars(
        sa.select(User.username)
        .where(User.active, User.id.in_(sa.select(managed_unit.c.user_id)))
        .order_by(User.id)
    ).all()
    return rng.sample(list(names), min(count, len(names)))


def prepare(learner_count: int, manager_count: int, seed: int = 1) -> dict:
    from portal.auth.passwords import hash_password
    from portal.extensions import db
    from portal.models import User

    rng = random.Random(seed)
    chosen = {"password": PASSWORD, "learners": learners(learner_count, rng)}
    chosen["managers"] = managers(manager_count, rng)
    everyone = chosen["learners"] + chosen["managers"]
    for start in range(0, len(everyone), 500):
        db.session.execute(
            sa.update(User)
            .where(User.username.in_(everyone[start : start + 500]))
            .values(password_hash=hash_password(PASSWORD), active=True)
        )
    db.session.commit()
    return chosen


def stored(attempt_ids: list[int]) -> dict[str, int]:
    """How many of these attempts are handed in, and how many gradings the audit trail has for them."""
    from portal.extensions import db
    from portal.models import AttemptStatus, AuditEvent, QuizAttempt

    counts = {"acknowledged": len(attempt_ids), "handed_in": 0, "gradings": 0}
    for start in range(0, len(attempt_ids), 500):
        chunk = attempt_ids[start : start + 500]
        counts["handed_in"] += db.session.scalar(
            sa.select(sa.func.count(QuizAttempt.id)).where(
                QuizAttempt.id.in_(chunk), QuizAttempt.status == AttemptStatus.SUBMITTED
            )
        )
        counts["gradings"] += db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "quiz.graded",
                AuditEvent.subject_type == "quiz_attempt",
                AuditEvent.subject_id.in_(chunk),
            )
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    accounts = commands.add_parser("accounts")
    accounts.add_argument("--learners", type=int, default=1000)
    accounts.add_argument("--managers", type=int, default=20)
    accounts.add_argument("--out", type=Path, required=True)
    accounts.add_argument("--seed", type=int, default=1, help="which accounts are chosen")
    check = commands.add_parser("stored")
    check.add_argument("acks", type=Path)
    args = parser.parse_args()
    from portal.app import create_app

    with create_app().app_context():
        if args.command == "stored":
            print(json.dumps(stored(json.loads(args.acks.read_text())["acknowledged"])))
            return
        chosen = prepare(args.learners, args.managers, args.seed)
    if not chosen["learners"] or not chosen["managers"]:
        raise SystemExit("the database has no learners or no managers to sign in as")
    args.out.write_text(json.dumps(chosen))
    print(f"{len(chosen['learners'])} learners, {len(chosen['managers'])} managers")


if __name__ == "__main__":
    main()
