"""Twenty simultaneous submits of one attempt (a nervous double-click times ten, two tabs, a phone and a
PC) grade it exactly once, against a real threaded server and a real database."""

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
from portal.auth.passwords import hash_password
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import AttemptStatus, AuditEvent, ModuleCompletion, Organisation, QuizAttempt, Role, User
from tests.conftest import TEST_DATABASE_URL, base_config, empty_postgres_tables
from tests.content.builders import QUIZ_RIGHT_ANSWERS, write_quiz_module

PASSWORD = "Larmkedjan-2026"
SUBMITS = 20


class Browser:
    """One signed-in person: a cookie jar and the CSRF token of the last page read."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, form: dict) -> tuple[int, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _empty_all_tables() -> None:
    if db.engine.dialect.name == "postgresql":
        empty_postgres_tables()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_twenty_parallel_submits_give_exactly_one_graded_result(engine, tmp_path):
    if engine == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    url = TEST_DATABASE_URL if engine == "postgresql" else f"sqlite:///{tmp_path / 'race.sqlite'}"
    app = create_app(base_config(url, WTF_CSRF_ENABLED=True, TESTING=False))
    write_quiz_module(tmp_path / "modules")
    with app.app_context():
        db.create_all()
        _empty_all_tables()
        sync_modules(load_modules(tmp_path / "modules"))
        organisation = Organisation(name="Provkommun", code="provkommun")
        db.session.add(organisation)
        db.session.flush()
        user = User(organisation_id=organisation.id, username="anna", full_name="Anna Andersson",
                    email="anna@example.com", password_hash=hash_password(PASSWORD), active=True)  # fmt: skip
        user.set_roles({Role.LEARNER})
        db.session.add(user)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser = Browser(f"http://127.0.0.1:{server.server_port}")
        browser.post(
            "/login", {"username": "anna", "password": PASSWORD, "csrf_token": token(browser.get("/login"))}
        )
        section = browser.get("/learning/modules/prov/prov")
        status, location = browser.post(
            "/learning/modules/prov/prov/attempts", {"csrf_token": token(section)}
        )
        assert status == 302, "the attempt started"
        attempt_id = int(location.rstrip("/").split("/")[-2])
        with app.app_context():
            question_ids = db.session.get(QuizAttempt, attempt_id).question_ids
        for number, qid in enumerate(question_ids, start=1):
            page = browser.get(f"/learning/attempts/{attempt_id}/{number}")
            form = {"csrf_token": token(page), "question": qid, **QUIZ_RIGHT_ANSWERS[qid]}
            assert browser.post(f"/learning/attempts/{attempt_id}/{number}", form)[0] == 302
        csrf = token(browser.get(f"/learning/attempts/{attempt_id}/summary"))

        results: list[tuple[int, str]] = []
        barrier = threading.Barrier(SUBMITS)

        def submit() -> None:
            barrier.wait()
            results.append(browser.post(f"/learning/attempts/{attempt_id}/submit", {"csrf_token": csrf}))

        submitters = [threading.Thread(target=submit) for _ in range(SUBMITS)]
        for submitter in submitters:
            submitter.start()
        for submitter in submitters:
            submitter.join()

        assert [status for status, _ in results] == [302] * SUBMITS
        assert {location for _, location in results} == {f"/learning/attempts/{attempt_id}"}
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt.status is AttemptStatus.SUBMITTED
            assert attempt.percent == pytest.approx(100.0)
            assert attempt.passed
            graded = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "quiz.graded")
            assert db.session.scalar(graded) == 1, "one grading, whatever the number of submits"
            assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1
            assert db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id))) == 0, "start is not done"
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()
    finally:
        server.shutdown()
        thread.join(timeout=5)
