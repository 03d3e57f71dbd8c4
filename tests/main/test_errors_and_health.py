import pytest

from portal.app import create_app
from tests.conftest import TEST_DATABASE_URL, base_config

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/portal.sqlite",
    "postgresql": "postgresql+psycopg://nobody:wrong@127.0.0.1:1/nothing?connect_timeout=2",
}


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "app": "ok", "database": "ok"}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_healthz_reports_an_unreachable_database(engine):
    if engine == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    app = create_app(base_config(UNREACHABLE[engine]))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error"
    assert response.json["status"] == "error"


def test_pages_get_a_friendly_503_when_the_database_is_down():
    app = create_app(base_config(UNREACHABLE["sqlite"]))
    response = app.test_client().post("/login", data={"username": "anna", "password": "whatever-123"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "tillfälligt" in response.text


@pytest.mark.parametrize(("language", "text"), [("sv", "Sidan finns inte"), ("en", "Page not found")])
def test_not_found_in_both_languages(client, language, text):
    client.set_cookie("lang", language)
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert text in response.text
    assert f'<html lang="{language}">' in response.text


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from portal.config import ConfigError, load_config

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_development_generates_and_keeps_a_key(monkeypatch, tmp_path):
    from portal import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(is_production=False)
    assert len(first) == 64
    assert config.secret_key(is_production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_use_psycopg3():
    from portal.config import database_url

    assert database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url(None).startswith("sqlite:///")
