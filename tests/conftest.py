"""Fixtures in the flaskr style plus factory fixtures (Indico's idea).

Every app-level test runs on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL database,
on PostgreSQL as well (test ids end in [sqlite] / [postgresql]).
"""

import os
import shutil
import tempfile
from datetime import date

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from portal.app import create_app
from portal.config import ROOT
from portal.extensions import db
from portal.models import Membership, Organisation, Position, Role, Unit, UnitKind, User

# CI sets HYPOTHESIS_PROFILE=ci: thousands of generated cases per property instead of hundreds.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile(
    "ci", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TEST_PASSWORD = "Rätt-häst-batteri-9"


def _worker_database(url: str | None) -> str | None:
    """Each pytest-xdist worker tests in a PostgreSQL database of its own (portal_test_gw0, …) beside
    the one named, which the workers would otherwise empty under each other's feet."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = sa.make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


def _create_worker_database() -> None:
    if TEST_DATABASE_URL == os.environ.get("TEST_DATABASE_URL"):
        return
    target = sa.make_url(TEST_DATABASE_URL).database
    engine = sa.create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target}"'))
    engine.dispose()


TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
ENGINES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
_prepared_postgres = False
# Uploads never land in the repo's instance/; the folder is made by the first upload, if any.
MEDIA_DIR = os.path.join(tempfile.gettempdir(), f"portal-test-media-{os.getpid()}")


def base_config(database_uri: str = "sqlite://", **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "DEMO_MODE": True,
        "IS_PRODUCTION": False,
        "SESSION_COOKIE_SECURE": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 8025,
        "MEDIA_DIR": MEDIA_DIR,
        **overrides,
    }


def pytest_sessionstart(session) -> None:
    """Compile the catalogs when they are newer than the .mo files, as `make test` does."""
    if os.environ.get("REQUIRE_FULL_SUITE") and not TEST_DATABASE_URL:
        raise pytest.UsageError("REQUIRE_FULL_SUITE is set but TEST_DATABASE_URL is not: no PostgreSQL")
    if TEST_DATABASE_URL:
        _create_worker_database()
    for po_path in (ROOT / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


def pytest_sessionfinish(session, exitstatus) -> None:
    shutil.rmtree(MEDIA_DIR, ignore_errors=True)


def empty_postgres_tables() -> None:
    """Every table of the shared PostgreSQL test database kept, every row gone."""
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _reset_postgres() -> None:
    global _prepared_postgres
    if not _prepared_postgres:
        db.drop_all()
        db.create_all()
        _prepared_postgres = True
        return
    empty_postgres_tables()


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production: no `g` or session shared
    with the test body or with the previous request."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(params=ENGINES)
def app(request):
    uri = TEST_DATABASE_URL if request.param == "postgresql" else "sqlite://"
    app = create_app(base_config(uri))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if request.param == "postgresql":
            _reset_postgres()
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()  # an in-memory SQLite database is gone with its only connection


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def password_hash() -> str:
    from portal.auth.passwords import hash_password

    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_org(app):
    counter = iter(range(1, 10_000))

    def _make_org(name: str | None = None) -> Organisation:
        number = next(counter)
        organisation = Organisation(name=name or f"Kommun {number}", code=f"kommun-{number}")
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return _make_org


@pytest.fixture
def make_unit(app):
    def _make_unit(organisation: Organisation, name: str = "Hemtjänst Syd", kind=UnitKind.HOME_CARE) -> Unit:
        unit = Unit(organisation_id=organisation.id, name=name, kind=kind)
        db.session.add(unit)
        db.session.commit()
        return unit

    return _make_unit


@pytest.fixture
def make_user(app, password_hash):
    """make_user(org, roles=..., unit=..., manages=[...]) -> a persisted user with TEST_PASSWORD."""
    counter = iter(range(1, 10_000))

    def _make_user(
        organisation: Organisation,
        username: str | None = None,
        roles: set[Role] | None = None,
        unit: Unit | None = None,
        position: Position = Position.ASSISTANT_NURSE,
        manages: list[Unit] | None = None,
        active: bool = True,
    ) -> User:
        number = next(counter)
        user = User(
            organisation_id=organisation.id,
            username=username or f"person{number}",
            full_name=f"Person Nummer{number}",
            email=f"{username or f'person{number}'}@example.com",
            password_hash=password_hash,
            active=active,
        )
        user.set_roles(roles or {Role.LEARNER})
        user.managed_units = manages or []
        if unit is not None:
            user.memberships.append(Membership(unit=unit, position=position, started_on=date(2025, 1, 1)))
        db.session.add(user)
        db.session.commit()
        return user

    return _make_user


def sign_in(client: FlaskClient, user: User) -> None:
    """A session as the login form leaves it (the form itself, and its slow password check, are
    tested in tests/auth: here only who may reach what is)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login(client):
    """login(user): sign the test client in through the real login form."""

    def _login(user: User, password: str = TEST_PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.text
        return response

    return _login


@pytest.fixture
def org(make_org):
    return make_org("Exempelkommun")


@pytest.fixture
def admin(org, make_user, make_unit):
    return make_user(org, username="admin", roles={Role.ADMIN})
