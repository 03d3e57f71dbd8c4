import sqlalchemy as sa

from portal.auth.passwords import verify_password
from portal.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.extensions import db
from portal.models import Membership, Role, Unit, User


def test_demo_seed_is_idempotent_and_complete(runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "added 1 organisation, 5 units, 19 people" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "added 0 organisation, 0 units, 0 people, 0 memberships" in second.output
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    for account in DEMO_ACCOUNTS:
        assert verify_password(users[account.username].password_hash, DEMO_PASSWORD)
    karin, lars = users["karin"], users["lars"]
    assert {u.name for u in karin.managed_units} == {"Hemtjänst Centrum", "Nattpatrullen"}
    assert {u.name for u in lars.managed_units} == {"Hemtjänst Norr"}
    assert Role.AUTHOR in users["larmteam"].roles
    assert Role.ADMIN in users["admin"].roles
    for manager in (karin, lars):
        staff = db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(Membership.unit_id.in_(manager.managed_unit_ids))
        )
        assert staff >= 4, "every manager's units have people in them"
    assert {u.name for u in db.session.scalars(sa.select(Unit))} == {
        "Hemtjänst Centrum",
        "Hemtjänst Norr",
        "Nattpatrullen",
        "Larmteamet",
        "Biståndsenheten",
    }


def test_demo_seed_refuses_outside_demo_mode(app, runner):
    app.config["DEMO_MODE"] = False
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "demo mode" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_bulk_staff_for_benchmarks(runner):
    result = runner.invoke(args=["demo", "seed", "--bulk-staff", "300"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.username.like("bulk-%"))) == 300
    again = runner.invoke(args=["demo", "seed", "--bulk-staff", "300"])
    assert "synthetic" not in again.output


def test_users_create_and_set_password(runner):
    runner.invoke(args=["organisations", "create", "Nykommun", "--code", "nykommun"])
    created = runner.invoke(
        args=[
            "users",
            "create",
            "Ny.Admin",
            "--name",
            "Ny Admin",
            "--organisation",
            "nykommun",
            "--role",
            "admin",
            "--password",
            "Hjortron-i-juli-3",
        ]
    )
    assert created.exit_code == 0, created.output
    user = db.session.scalar(sa.select(User).where(User.username == "ny.admin"))
    assert user.roles == {Role.ADMIN}
    assert verify_password(user.password_hash, "Hjortron-i-juli-3")
    changed = runner.invoke(args=["users", "set-password", "ny.admin", "--password", "Multe-och-moln-88"])
    assert changed.exit_code == 0, changed.output
    db.session.refresh(user)
    assert verify_password(user.password_hash, "Multe-och-moln-88")


def test_users_cli_bad_input(runner):
    runner.invoke(args=["organisations", "create", "Nykommun", "--code", "nykommun"])
    weak = runner.invoke(
        args=["users", "create", "x1", "--name", "X", "--organisation", "nykommun", "--password", "short"]
    )
    assert weak.exit_code != 0
    assert "12" in weak.output
    no_org = runner.invoke(
        args=[
            "users",
            "create",
            "x2",
            "--name",
            "X",
            "--organisation",
            "nope",
            "--password",
            "Hjortron-i-juli-3",
        ]
    )
    assert no_org.exit_code != 0
    assert "No organisation" in no_org.output
    missing = runner.invoke(args=["users", "set-password", "ghost", "--password", "Hjortron-i-juli-3"])
    assert missing.exit_code != 0
    assert "No account" in missing.output
    bad_code = runner.invoke(args=["organisations", "create", "Bad", "--code", "Bad Code!"])
    assert bad_code.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_demo_seed_after_content_sync_shows_progress(runner):
    from portal.models import ModuleCompletion

    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed"])
    assert "completed sections" in result.output
    omar = db.session.scalar(sa.select(User).where(User.username == "omar"))
    completions = db.session.scalars(
        sa.select(ModuleCompletion).where(ModuleCompletion.user_id == omar.id)
    ).all()
    assert [c.module_version.module.slug for c in completions] == ["trygghetslarm-grunder"]
    again = runner.invoke(args=["demo", "seed"])
    assert "0 completed sections" in again.output


def test_demo_seed_gives_staff_the_exercises_their_certifications_ask_for_once(runner):
    from portal.models import SimulationRun

    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed"])
    assert "5 passed exercises" in result.output
    runs = db.session.execute(
        sa.select(User.username, SimulationRun.scenario_slug, SimulationRun.role, SimulationRun.percent,
                  SimulationRun.passed).join(User, User.id == SimulationRun.user_id)
    ).all()  # fmt: skip
    assert sorted(tuple(run) for run in runs) == [
        ("goran.aberg", "01-natt-fall-med-talkontakt", "home_care", 100, True),
        ("goran.aberg", "03-ingen-talkontakt", "home_care", 100, True),
        ("karin", "09-massavbrott", "manager", 100, True),
        ("larmteam", "10-installation-provlarm", "larmteam", 100, True),
        ("mikael.strom", "03-ingen-talkontakt", "home_care", 100, True),
    ]
    again = runner.invoke(args=["demo", "seed"])
    assert "0 passed exercises" in again.output


def test_demo_seed_publishes_the_alarm_teams_routine_for_staff_to_confirm_once(runner):
    from portal.authoring.routines import routines_for
    from portal.models import Revision, RevisionStatus

    result = runner.invoke(args=["demo", "seed"])
    assert "1 routines" in result.output
    revision = db.session.scalar(sa.select(Revision))
    assert revision.status is RevisionStatus.PUBLISHED
    assert revision.approved_by.username == "maja"
    anna = db.session.scalar(sa.select(User).where(User.username == "anna"))
    sara = db.session.scalar(sa.select(User).where(User.username == "sara"))
    assert [item.is_confirmed for item in routines_for(anna)] == [False]
    assert routines_for(sara) == []  # a needs assessor: not her routine
    again = runner.invoke(args=["demo", "seed"])
    assert "0 routines" in again.output
