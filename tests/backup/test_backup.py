"""`flask backup create` and `flask backup restore`, on SQLite and on PostgreSQL (the `app` fixture
runs each test on both): a restore into an empty database gives the same rows in every table, and a
restore that cannot be done safely is refused with its reason and changes nothing."""

import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.app import create_app
from portal.backup import service
from portal.extensions import db
from portal.models import Organisation
from tests.conftest import TEST_DATABASE_URL, base_config


def snapshot(engine: sa.Engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's column names and all its rows, in an order that does not depend on the database."""
    with engine.connect() as connection:
        return {name: _rows(connection, name) for name in sa.inspect(connection).get_table_names()}


def _rows(connection: sa.Connection, table: str) -> tuple[list[str], list[tuple]]:
    result = connection.execute(sa.select(sa.text("*")).select_from(sa.table(table)))
    return list(result.keys()), sorted((tuple(row) for row in result), key=repr)


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def target(app, tmp_path):
    """A fresh, empty database of the engine `app` runs on, in an app of its own."""
    if not is_postgresql():
        restored = create_app(base_config(f"sqlite:///{tmp_path / 'restored.sqlite'}"))
        yield restored
        with restored.app_context():
            db.engine.dispose()
        return
    url = sa.make_url(TEST_DATABASE_URL)
    name = f"{url.database}_restore"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    # Not WITH (FORCE): that may not end the autovacuum worker a restore sets off; a plain DROP does.
    drop = sa.text(f'DROP DATABASE IF EXISTS "{name}"')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    restored = create_app(base_config(url.set(database=name).render_as_string(hide_password=False)))
    try:
        yield restored
    finally:
        with restored.app_context():
            db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()


@pytest.fixture
def backup_file(tmp_path) -> Path:
    return tmp_path / "portal.backup"


def backup(runner, path: Path) -> None:
    created = runner.invoke(args=["backup", "create", str(path)])
    assert created.exit_code == 0, created.output
    assert path.stat().st_size > 0


def restore(runner, path: Path, *options: str):
    return runner.invoke(args=["backup", "restore", str(path), *options])


def test_a_restore_into_an_empty_database_gives_the_same_rows_in_every_table(
    app, runner, target, backup_file
):
    for command in (["content", "sync"], ["demo", "seed"]):
        seeded = runner.invoke(args=command)
        assert seeded.exit_code == 0, seeded.output
    before = snapshot(db.engine)
    assert all(before[table][1] for table in ("user", "module_version", "quiz_answer", "simulation_input"))

    backup(runner, backup_file)
    with target.app_context():  # a CLI command runs on the app whose context is current
        restored = restore(target.test_cli_runner(), backup_file)

        assert restored.exit_code == 0, restored.output
        assert f"{len(before)} tables" in restored.output
        assert snapshot(db.engine) == before
        db.session.add(Organisation(name="Nykommun", code="nykommun"))
        db.session.commit()  # new rows get new ids: the sequences came along with the rows


def test_restore_refuses_a_database_that_holds_rows_unless_forced(app, runner, make_org, backup_file):
    make_org("Före backupen")
    backup(runner, backup_file)
    at_backup = snapshot(db.engine)
    make_org("Efter backupen")
    since = snapshot(db.engine)

    refused = restore(runner, backup_file)

    assert refused.exit_code == 1
    assert "Nothing was restored" in refused.output
    assert "is not empty (rows in organisation)" in refused.output
    assert "--force" in refused.output
    assert snapshot(db.engine) == since

    forced = restore(runner, backup_file, "--force")

    assert forced.exit_code == 0, forced.output
    assert "Replaced the rows in organisation." in forced.output
    assert snapshot(db.engine) == at_backup


def test_sqlite_is_backed_up_while_the_portal_writes(tmp_path, backup_file):
    """An open write transaction neither holds the backup up nor gets into it half-done."""
    database = tmp_path / "portal.sqlite"
    running = create_app(base_config(f"sqlite:///{database}"))
    with running.app_context():
        db.create_all()
        db.session.add(Organisation(name="Exempelkommun", code="exempelkommun"))
        db.session.commit()
        writer = sqlite3.connect(database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO organisation (name, code, review_required, created_at) "
            "VALUES ('Halvkommun', 'halv', 0, '2026-01-01 00:00:00')"
        )

        backup(running.test_cli_runner(), backup_file)

        writer.execute("COMMIT")
        writer.close()
        db.engine.dispose()
    restored = create_app(base_config(f"sqlite:///{tmp_path / 'restored.sqlite'}"))
    with restored.app_context():
        assert restore(restored.test_cli_runner(), backup_file).exit_code == 0
        assert db.session.scalars(sa.select(Organisation.code)).all() == ["exempelkommun"]
        db.engine.dispose()


def test_a_damaged_backup_is_refused_and_changes_nothing(app, runner, make_org, backup_file):
    for number in range(100):
        make_org(f"Kommun {number} " + "x" * 100)
    backup(runner, backup_file)
    make_org("Efter backupen")
    since = snapshot(db.engine)
    data = backup_file.read_bytes()
    backup_file.write_bytes(data[: len(data) - 2000])  # the end of the table data is gone

    result = restore(runner, backup_file, "--force")

    assert result.exit_code == 1
    if is_postgresql():  # the table of contents is whole: pg_restore fails part-way, in one transaction
        assert "Nothing was restored (the database is as it was)" in result.output
    else:
        assert "is damaged and cannot be restored" in result.output
    assert snapshot(db.engine) == since


def _text_file(path: Path) -> None:
    path.write_text("organisation;user\nExempelkommun;anna\n")


def _other_engines_backup(path: Path) -> None:
    if is_postgresql():
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE organisation (id INTEGER PRIMARY KEY)")
        connection.close()
    else:
        path.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))


def _foreign_sqlite_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipe (id INTEGER PRIMARY KEY, name TEXT)")
    connection.close()


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (None, "There is no backup file"),
        (_text_file, "is not a backup made by `flask backup create`"),
        (_other_engines_backup, "restore it into a portal that runs on"),
    ],
    ids=["missing", "text", "other-engine"],
)
def test_a_file_that_is_not_a_backup_for_this_database_is_refused(
    app, runner, make_org, backup_file, make_file, message
):
    make_org("Exempelkommun")
    if make_file:
        make_file(backup_file)
    before = snapshot(db.engine)

    result = restore(runner, backup_file, "--force")

    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(db.engine) == before


def test_an_sqlite_database_of_something_else_is_refused(tmp_path, backup_file):
    _foreign_sqlite_database(backup_file)
    app = create_app(base_config(f"sqlite:///{tmp_path / 'portal.sqlite'}"))

    result = restore(app.test_cli_runner(), backup_file)

    assert result.exit_code == 1
    assert "is not a backup of the portal" in result.output
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://portal:hemligt-9@127.0.0.1:1/portal", "sqlite:////no/such/folder/portal.sqlite"],
    ids=["postgresql", "sqlite"],
)
def test_an_unreachable_database_is_named_and_no_file_is_left(url, tmp_path, backup_file):
    runner = create_app(base_config(url)).test_cli_runner()

    result = runner.invoke(args=["backup", "create", str(backup_file)])

    assert result.exit_code == 1
    assert "Could not connect to the database" in result.output
    assert "No backup was written." in result.output
    assert "hemligt-9" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_not_overwritten_unless_forced(app, runner, backup_file):
    backup_file.write_text("an earlier backup")

    refused = runner.invoke(args=["backup", "create", str(backup_file)])

    assert refused.exit_code == 1
    assert "exists" in refused.output
    assert "--force" in refused.output
    assert backup_file.read_text() == "an earlier backup"
    assert runner.invoke(args=["backup", "create", str(backup_file), "--force"]).exit_code == 0
    assert backup_file.read_bytes()[:5] in (b"PGDMP", b"SQLit")


def test_a_backup_that_fails_part_way_leaves_the_earlier_file_as_it_was(
    app, runner, backup_file, monkeypatch
):
    backup_file.write_text("an earlier backup")

    def fail(path: Path):
        assert path.stat().st_size > 0  # the copy was being written when it failed
        raise service.BackupError("the disk is full.")

    monkeypatch.setattr(service, "_pg_tables" if is_postgresql() else "_sqlite_tables", fail)

    result = runner.invoke(args=["backup", "create", str(backup_file), "--force"])

    assert result.exit_code == 1
    assert "the disk is full.\nNo backup was written." in result.output
    assert backup_file.read_text() == "an earlier backup"
    assert list(backup_file.parent.iterdir()) == [backup_file]


def test_the_password_reaches_the_postgresql_tools_in_the_environment_only(monkeypatch):
    calls = []

    def fake_run(command, env, **_options):
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(service.subprocess, "run", fake_run)
    monkeypatch.setattr(service, "postgres_tool", lambda name: name)
    url = sa.make_url("postgresql+psycopg://portal:Hemligt-l0senord@db.kommun.se:6543/portal?sslmode=require")

    service.run_postgres_tool(url, "pg_dump", ["--format=custom"], with_database=True)

    [(command, env)] = calls
    assert not any("Hemligt-l0senord" in part for part in command)
    assert "--no-password" in command
    assert "--dbname=portal" in command
    assert env["PGPASSWORD"] == "Hemligt-l0senord"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGSSLMODE"]) == (
        "db.kommun.se",
        "6543",
        "portal",
        "require",
    )
