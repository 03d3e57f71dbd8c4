"""Concurrent first visits (two tabs, a double click, a phone and a PC) never fail."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal.app import create_app
from portal.content.loader import load_modules
from portal.content.sync import content_root, sync_modules
from portal.demo.seed import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.models import LastVisit, SectionProgress, User
from tests.conftest import TEST_DATABASE_URL, base_config, empty_postgres_tables

SECTION = "/learning/modules/att-atgarda-ett-larm/utlarmning-och-kvittering"
VISITOR = "sara"  # no demo progress in this module, so every request is a first visit


def _signed_in_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": VISITOR, "password": DEMO_PASSWORD, "csrf_token": token}
    opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode()).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def _empty_all_tables() -> None:
    """Leave the shared PostgreSQL test database as the other tests expect it (SQLite is a new file)."""
    if db.engine.dialect.name == "postgresql":
        empty_postgres_tables()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_sixteen_simultaneous_first_visits(engine, tmp_path):
    if engine == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    url = TEST_DATABASE_URL if engine == "postgresql" else f"sqlite:///{tmp_path / 'race.sqlite'}"
    app = create_app(base_config(url, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        db.create_all()
        _empty_all_tables()
        sync_modules(load_modules(content_root(app.config)))
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        cookie = _signed_in_cookie(base)
        statuses: list[int] = []

        def visit() -> None:
            request = urllib.request.Request(base + SECTION, headers={"Cookie": cookie})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

        visitors = [threading.Thread(target=visit) for _ in range(16)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join()
        assert statuses == [200] * 16
        with app.app_context():
            sara = db.session.scalar(sa.select(User).where(User.username == VISITOR))
            assert (
                db.session.scalar(
                    sa.select(sa.func.count(SectionProgress.id)).where(SectionProgress.user_id == sara.id)
                )
                == 1
            )
            assert (
                db.session.scalar(
                    sa.select(sa.func.count()).select_from(LastVisit).where(LastVisit.user_id == sara.id)
                )
                == 1
            )
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()
    finally:
        server.shutdown()
        thread.join(timeout=5)
