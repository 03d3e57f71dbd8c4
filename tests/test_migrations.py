"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import pytest
import sqlalchemy as sa

from portal.app import create_app
from tests.conftest import TEST_DATABASE_URL, base_config


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_upgrade_then_check_finds_no_drift(engine, tmp_path):
    if engine == "postgresql":
        if not TEST_DATABASE_URL:
            pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
        url = TEST_DATABASE_URL
        _empty_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app(base_config(url))
    runner = app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(args=["db", "check"])
    assert checked.exit_code == 0, checked.output
    downgraded = runner.invoke(args=["db", "downgrade", "base"])
    assert downgraded.exit_code == 0, downgraded.output
    with app.app_context():
        from portal.extensions import db

        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
    if engine == "postgresql":
        _empty_postgres(url)  # leave the shared test database for the fixtures to rebuild
