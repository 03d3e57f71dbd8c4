"""Every registered route, every role: the expected status. A new route without an entry fails."""

import sqlite3
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from portal.app import create_app
from portal.assessment.services import start as start_attempt
from portal.assessment.statistics import refresh_statistics
from portal.authoring import files, media, workflow
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import ContentKind, EmployeeImport, Module, Role, RunMode, SectionVersion, UnitKind, User
from portal.simulator.catalogue import scenarios
from portal.simulator.services import create_run
from tests.certification.test_certificate import certify, make_certification
from tests.conftest import IsolatedClient, base_config, sign_in
from tests.content.builders import PNG, write_module, write_quiz_module

ROLES = ("anonymous", "learner", "manager", "author", "admin")
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Expect:
    method: str
    url: str  # formatted with the world's ids
    statuses: dict[str, int]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: dict[str, int], others: int = 403) -> dict[str, int]:
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], others), **allowed}


def trainee_only(status: int) -> dict[str, int]:
    """An exercise run is its trainee's (the learner's here); to everybody else it does not exist."""
    return {**everyone(404), "learner": status}


def run_control(action: str) -> list[Expect]:
    """A POST to a run's control: the demo's anyone's, the exercise its trainee's; a redirect to the run."""
    return [
        Expect("POST", f"/trygghetskedjan/runs/{{demo}}/{action}", everyone(302)),
        Expect("POST", f"/trygghetskedjan/runs/{{exercise}}/{action}", trainee_only(302)),
    ]


ADMIN_GET = only({"admin": 200})
ADMIN_POST_REDIRECT = only({"admin": 302})
AUTHOR_GET = only({"author": 200, "admin": 200})
AUTHOR_ONLY = only({"author": 200})
SIGNED_IN_200 = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}

MATRIX: dict[str, list[Expect]] = {
    "main.index": [Expect("GET", "/", everyone(200))],
    "main.healthz": [Expect("GET", "/healthz", everyone(200))],
    "main.set_language": [Expect("POST", "/language", everyone(302))],
    "main.my_units": [Expect("GET", "/my-units", only({"manager": 200}))],
    "auth.login": [
        Expect("GET", "/login", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
        Expect("POST", "/login", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    ],
    "auth.logout": [Expect("POST", "/logout", everyone(302))],
    "auth.change_password": [
        Expect("GET", "/password", SIGNED_IN_200),
        Expect("POST", "/password", SIGNED_IN_200),
    ],
    "learning.dashboard": [Expect("GET", "/learning/", SIGNED_IN_200)],
    "learning.module": [Expect("GET", "/learning/modules/grunder", SIGNED_IN_200)],
    "learning.section": [Expect("GET", "/learning/modules/grunder/start", SIGNED_IN_200)],
    "learning.complete": [Expect("POST", "/learning/modules/grunder/start/complete", everyone(302))],
    "learning.watched": [  # signed in, but no report in the body: a bad request
        Expect(
            "POST",
            "/learning/modules/grunder/film/watched",
            {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 400)},
        )
    ],
    "learning.media": [Expect("GET", "/learning/media/grunder/film.sv.vtt", SIGNED_IN_200)],
    "certification.mine": [Expect("GET", "/learning/certifications", SIGNED_IN_200)],
    # The learner holds the certificate; the manager manages the learner's unit; the author has no say.
    "certification.certificate": [
        Expect("GET", "/certificates/{cycle}.pdf", only({"learner": 200, "manager": 200, "admin": 200}, 404))
    ],
    "certification.revoke": [  # an empty POST: the form again, with its error
        Expect("GET", "/certificates/{cycle}/revoke", only({"manager": 200, "admin": 200})),
        Expect("POST", "/certificates/{cycle}/revoke", only({"manager": 200, "admin": 200})),
    ],
    "certification.verify_form": [Expect("GET", "/verify", everyone(200))],
    "certification.verify": [Expect("GET", "/verify/{code}", everyone(200))],
    "simulator.overview": [Expect("GET", "/trygghetskedjan", everyone(200))],  # the public chain
    "glossary.index": [Expect("GET", "/ordlista", everyone(200))],  # the public glossary
    # A demo run is anyone's who has its link. The forms are empty: back to the page with an error
    # (finishing a demo: "only an exercise is scored"; the device endpoint: no SCAIP content type).
    "simulator.start_demo": [Expect("POST", "/trygghetskedjan/runs", everyone(302))],
    "simulator.run": [
        Expect("GET", "/trygghetskedjan/runs/{demo}", everyone(200)),
        Expect("GET", "/trygghetskedjan/runs/{exercise}", trainee_only(200)),
    ],
    "simulator.live_part": [
        Expect("GET", "/trygghetskedjan/runs/{demo}/live", everyone(200)),
        Expect("GET", "/trygghetskedjan/runs/{exercise}/live", trainee_only(200)),
    ],
    "simulator.step": run_control("step"),
    "simulator.advance": run_control("advance"),
    "simulator.speed": run_control("speed"),
    "simulator.inject": run_control("inject"),
    "simulator.act": run_control("act"),
    "simulator.finish": run_control("finish"),
    "simulator.device": [  # only a demo takes messages from an outside device
        Expect("POST", "/trygghetskedjan/runs/{demo}/scaip", everyone(415)),
        Expect("POST", "/trygghetskedjan/runs/{exercise}/scaip", everyone(404)),
    ],
    "simulator.exercises": [Expect("GET", "/trygghetskedjan/ovningar", SIGNED_IN_200)],
    "simulator.start_exercise": [  # no role chosen: back to the exercises
        Expect("POST", "/trygghetskedjan/ovningar/03-ingen-talkontakt", everyone(302))
    ],
    "assessment.start": [Expect("POST", "/learning/modules/prov/prov/attempts", everyone(302))],
    # An attempt is its owner's alone (the learner's here): everybody else is refused.
    "assessment.question": [Expect("GET", "/learning/attempts/{attempt}/1", only({"learner": 200}))],
    "assessment.answer": [  # the owner, but no question in the form: a bad request
        Expect("POST", "/learning/attempts/{attempt}/1", only({"learner": 400}))
    ],
    "assessment.summary": [Expect("GET", "/learning/attempts/{attempt}/summary", only({"learner": 200}))],
    "assessment.submit": [Expect("POST", "/learning/attempts/{attempt}/submit", only({"learner": 302}))],
    "assessment.result": [  # the owner's attempt is still open: sent to its overview
        Expect("GET", "/learning/attempts/{attempt}", only({"learner": 302}))
    ],
    "assessment.statistics_index": [Expect("GET", "/authoring/statistics/quizzes", AUTHOR_GET)],
    "assessment.statistics_detail": [Expect("GET", "/authoring/statistics/quizzes/{quiz}", AUTHOR_GET)],
    "assessment.statistics_csv": [Expect("GET", "/authoring/statistics/quizzes/{quiz}.csv", AUTHOR_GET)],
    # Progress and exercise statistics of the author's organisation (scoping: tests/authoring/test_statistics.py).
    "authoring.statistics_overview": [Expect("GET", "/authoring/statistics", only({"author": 200}))],
    "authoring.statistics_module": [
        Expect("GET", "/authoring/statistics/modules/grunder", only({"author": 200}))
    ],
    "authoring.statistics_exercise": [
        Expect("GET", "/authoring/statistics/exercises/03-ingen-talkontakt", only({"author": 200}))
    ],
    # Authoring: the author of the organisation only; a POST without a valid form is a bad request.
    "authoring.overview": [Expect("GET", "/authoring/", AUTHOR_ONLY)],
    "authoring.new": [
        Expect("GET", "/authoring/new/module", AUTHOR_ONLY),
        Expect("POST", "/authoring/new/module", only({"author": 400})),
    ],
    "authoring.item": [Expect("GET", "/authoring/items/{local_module}", AUTHOR_ONLY)],
    "authoring.national_module": [Expect("GET", "/authoring/national/modules/grunder", AUTHOR_ONLY)],
    "authoring.start_draft": [
        Expect("POST", "/authoring/items/{local_routine}/drafts", only({"author": 302}))
    ],
    "authoring.discard": [Expect("POST", "/authoring/items/{local_module}/discard", only({"author": 302}))],
    "authoring.archive": [Expect("POST", "/authoring/items/{local_module}/archive", only({"author": 302}))],
    "authoring.submit": [
        Expect("GET", "/authoring/items/{local_module}/submit", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/submit", only({"author": 400})),
    ],
    "authoring.review": [
        Expect("GET", "/authoring/items/{local_module}/review", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/review", only({"author": 400})),
    ],
    "authoring.save_files": [Expect("POST", "/authoring/items/{local_module}/files", only({"author": 400}))],
    "authoring.module_edit": [
        Expect("GET", "/authoring/items/{local_module}/module", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/module", only({"author": 400})),
    ],
    "authoring.section_new": [
        Expect("POST", "/authoring/items/{local_module}/module/sections", only({"author": 400}))
    ],
    "authoring.section_edit": [
        Expect("GET", "/authoring/items/{local_module}/module/sections/inledning", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/module/sections/inledning", only({"author": 400})),
    ],
    "authoring.section_move": [
        Expect(
            "POST", "/authoring/items/{local_module}/module/sections/inledning/move", only({"author": 400})
        )
    ],
    "authoring.section_delete": [
        Expect(
            "POST", "/authoring/items/{local_module}/module/sections/inledning/delete", only({"author": 400})
        )
    ],
    "authoring.section_image": [
        Expect(
            "POST", "/authoring/items/{local_module}/module/sections/inledning/image", only({"author": 400})
        )
    ],
    "authoring.section_video": [
        Expect(
            "POST", "/authoring/items/{local_module}/module/sections/inledning/video", only({"author": 400})
        )
    ],
    "authoring.quiz_edit": [
        Expect("GET", "/authoring/items/{local_module}/quiz", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/quiz", only({"author": 400})),
    ],
    "authoring.question_new": [
        Expect("POST", "/authoring/items/{local_module}/quiz/questions", only({"author": 400}))
    ],
    "authoring.question_edit_item": [
        Expect("GET", "/authoring/items/{local_module}/quiz/questions/fraga", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_module}/quiz/questions/fraga", only({"author": 400})),
    ],
    "authoring.question_edit": [  # the statistics' link: to the open draft's editor
        Expect("GET", "/authoring/modules/lokal-modul/quiz/questions/fraga", only({"author": 302}))
    ],
    "authoring.question_move": [
        Expect("POST", "/authoring/items/{local_module}/quiz/questions/fraga/move", only({"author": 400}))
    ],
    "authoring.question_delete": [
        Expect("POST", "/authoring/items/{local_module}/quiz/questions/fraga/delete", only({"author": 400}))
    ],
    "authoring.certification_edit": [
        Expect("GET", "/authoring/items/{local_certification}/certification", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_certification}/certification", only({"author": 400})),
    ],
    "authoring.routine_edit": [
        Expect("GET", "/authoring/items/{local_routine}/routine", AUTHOR_ONLY),
        Expect("POST", "/authoring/items/{local_routine}/routine", only({"author": 400})),
    ],
    "authoring.versions": [Expect("GET", "/authoring/items/{local_module}/versions", AUTHOR_ONLY)],
    "authoring.version": [Expect("GET", "/authoring/items/{local_module}/versions/1", AUTHOR_ONLY)],
    "authoring.diff": [Expect("GET", "/authoring/items/{local_module}/diff?from=1&to=2", AUTHOR_ONLY)],
    "authoring.restore": [  # the module has a draft open already: refused, back to the item
        Expect("POST", "/authoring/items/{local_module}/versions/1/restore", only({"author": 302}))
    ],
    "authoring.export": [Expect("GET", "/authoring/items/{local_module}/export.zip", AUTHOR_ONLY)],
    "authoring.export_national": [Expect("GET", "/authoring/national/grunder/export.zip", AUTHOR_ONLY)],
    "authoring.import_module": [
        Expect("GET", "/authoring/import", AUTHOR_ONLY),
        Expect("POST", "/authoring/import", only({"author": 400})),
    ],
    "authoring.media": [Expect("GET", "/authoring/media/{media}", AUTHOR_ONLY)],
    # Läskvittens: the routine is for everyone with a membership (the learner); the manager of their
    # unit may read it; to people it is not for (author, admin: no memberships) it does not exist.
    "routines.index": [Expect("GET", "/routines/", SIGNED_IN_200)],
    "routines.routine": [
        Expect(
            "GET",
            "/routines/{local_routine}",
            {**everyone(404), "anonymous": LOGIN, "learner": 200, "manager": 200},
        )
    ],
    "routines.confirm": [
        Expect(
            "POST", "/routines/{local_routine}/confirm", {**everyone(404), "anonymous": LOGIN, "learner": 302}
        )
    ],
    "routines.confirmations": [Expect("GET", "/routines/confirmations", only({"manager": 200}))],
    "admin.settings": [
        Expect("GET", "/admin/settings", ADMIN_GET),
        Expect("POST", "/admin/settings", ADMIN_POST_REDIRECT),
    ],
    # Only a manager of the employee's units; the mail server may be away in tests: a redirect either way.
    "competence.remind": [
        Expect("POST", "/competence/employees/{learner}/remind/{certification}", only({"manager": 302}))
    ],
    # The manager's matrix, files and employee pages (scoping by unit: tests/competence/test_authorisation.py).
    "competence.matrix": [Expect("GET", "/competence/", only({"manager": 200}))],
    "competence.print_view": [Expect("GET", "/competence/print", only({"manager": 200}))],
    "competence.export_csv": [Expect("GET", "/competence/export.csv", only({"manager": 200}))],
    "competence.export_xlsx": [Expect("GET", "/competence/export.xlsx", only({"manager": 200}))],
    "competence.employee": [Expect("GET", "/competence/employees/{learner}", only({"manager": 200}))],
    "competence.assign": [  # an empty form: the page again, with its errors
        Expect("POST", "/competence/employees/{learner}/assignments", only({"manager": 400}))
    ],
    "admin.index": [Expect("GET", "/admin/", ADMIN_GET)],
    "admin.units": [Expect("GET", "/admin/units", ADMIN_GET)],
    "admin.new_unit": [
        Expect("GET", "/admin/units/new", ADMIN_GET),
        Expect("POST", "/admin/units/new", ADMIN_GET),
    ],
    "admin.edit_unit": [
        Expect("GET", "/admin/units/{unit}", ADMIN_GET),
        Expect("POST", "/admin/units/{unit}", ADMIN_POST_REDIRECT),  # an empty POST keeps every value
    ],
    "admin.users": [Expect("GET", "/admin/users", ADMIN_GET)],
    "admin.new_user": [
        Expect("GET", "/admin/users/new", ADMIN_GET),
        Expect("POST", "/admin/users/new", ADMIN_GET),
    ],
    "admin.edit_user": [
        Expect("GET", "/admin/users/{learner}", ADMIN_GET),
        Expect("POST", "/admin/users/{learner}", ADMIN_GET),
    ],
    "admin.add_user_membership": [Expect("POST", "/admin/users/{learner}/memberships", ADMIN_POST_REDIRECT)],
    "admin.end_user_membership": [
        Expect("POST", "/admin/users/{learner}/memberships/{membership}/end", ADMIN_POST_REDIRECT)
    ],
    "admin.toggle_active": [Expect("POST", "/admin/users/{learner}/active", ADMIN_POST_REDIRECT)],
    "admin.set_user_password": [
        Expect("GET", "/admin/users/{learner}/password", ADMIN_GET),
        Expect("POST", "/admin/users/{learner}/password", ADMIN_GET),
    ],
    "admin.import_employees": [
        Expect("GET", "/admin/import", ADMIN_GET),
        Expect("POST", "/admin/import", ADMIN_GET),
    ],
    "admin.import_preview": [Expect("GET", "/admin/import/{upload}", ADMIN_GET)],
    "admin.import_apply": [Expect("POST", "/admin/import/{upload}", ADMIN_POST_REDIRECT)],
}
NOT_IN_MATRIX = {"static"}  # public files, checked by the security-header tests
# Open to anonymous visitors, and answering them with a redirect that is not to the login page.
PUBLIC_REDIRECTS = {
    "main.set_language", "auth.logout", "simulator.start_demo", "simulator.step", "simulator.advance",
    "simulator.speed", "simulator.inject", "simulator.act", "simulator.finish",
}  # fmt: skip


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_IN_MATRIX
    missing = endpoints - MATRIX.keys()
    assert not missing, f"routes without an authorisation entry: {sorted(missing)}"
    assert not MATRIX.keys() - endpoints, "entries for routes that no longer exist"


def test_every_method_of_every_route_is_covered(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_IN_MATRIX:
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        covered = {expect.method for expect in MATRIX[rule.endpoint]}
        assert methods == covered, f"{rule.endpoint}: {methods} vs {covered}"


def quiz_section(slug: str) -> SectionVersion:
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    return next(section for section in module.current_version.sections if section.quiz_version_id)


@pytest.fixture
def app():
    """Who may reach what does not depend on the database, so the matrix runs on SQLite only: every
    feature's own tests run on SQLite and PostgreSQL both."""
    app = create_app(base_config("sqlite://"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


_IMAGE: dict = {}  # the world as built once: a copy of its database, its ids and its content folder


@pytest.fixture
def world(app, tmp_path, org, make_unit, make_user):
    """Every case starts from the same world. It is built once and copied into each case's fresh
    in-memory database (SQLite's backup), which is a hundred times quicker than building it."""
    if _IMAGE:
        db.session.remove()
        raw = db.engine.raw_connection()
        try:
            _IMAGE["database"].backup(raw.driver_connection)
        finally:
            raw.close()
        app.config["CONTENT_DIR"] = _IMAGE["content"]
        users = {name: db.session.scalar(sa.select(User).where(User.username == name)) for name in USERS}
        return users, _IMAGE["ids"]
    users, ids = build_world(app, tmp_path, org, make_unit, make_user)
    db.session.commit()
    image = sqlite3.connect(":memory:", check_same_thread=False)
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.backup(image)
    finally:
        raw.close()
    _IMAGE.update(database=image, ids=ids, content=app.config["CONTENT_DIR"])
    return users, ids


USERS = ("learner", "manager", "author", "admin")


def build_world(app, tmp_path, org, make_unit, make_user):
    (tmp_path / "modules").mkdir()
    write_module(tmp_path / "modules", video=True)
    write_quiz_module(tmp_path / "modules")
    app.config["CONTENT_DIR"] = str(tmp_path)
    sync_modules(load_modules(tmp_path / "modules"))
    unit = make_unit(org, "Hemtjänst Centrum")
    make_unit(org, "Larmteamet", UnitKind.ALARM_TEAM)
    learner = make_user(org, username="learner", unit=unit)
    users = {
        "learner": learner,
        "manager": make_user(org, username="manager", roles={Role.MANAGER}, manages=[unit]),
        "author": make_user(org, username="author", roles={Role.AUTHOR}),
        "admin": make_user(org, username="admin", roles={Role.ADMIN}),
    }
    upload = EmployeeImport(
        organisation_id=org.id,
        uploaded_by_id=users["admin"].id,
        filename="a.csv",
        encoding="utf-8",
        content="användarnamn;namn;enhet;befattning\n",
    )
    db.session.add(upload)
    attempt = start_attempt(learner, quiz_section("prov"))
    refresh_statistics(attempt.quiz_version)  # analysed, so that the CSV file exists
    db.session.commit()
    cycle = certify(learner, make_certification(), date(2026, 1, 12))
    demo = create_run(scenarios()["01-natt-fall-med-talkontakt"], mode=RunMode.DEMO, client="matrix")
    exercise = create_run(scenarios()["03-ingen-talkontakt"], mode=RunMode.EXERCISE, client="matrix",
                          user=learner, role="home_care")  # fmt: skip
    with app.test_request_context():
        local = local_material(org, users["author"])
    ids = {
        **local,
        "attempt": attempt.id,
        "quiz": attempt.quiz_version_id,
        "unit": unit.id,
        "learner": learner.id,
        "membership": learner.memberships[0].id,
        "upload": upload.id,
        "cycle": cycle.id,
        "certification": cycle.certification_id,
        "code": cycle.verification_code,
        "demo": demo.id,
        "exercise": exercise.id,
    }
    return users, ids


LOCAL_QUIZ = """title: Prov
questions:
  - id: fraga
    type: truefalse
    text: Kvitterar du larmet innan du åker?
    correct: true
"""


def local_material(org, author: User) -> dict[str, object]:
    """A local module with a quiz and a routine for everyone, each published and with a draft open; a
    certification's first draft; an uploaded image."""
    org.review_required = False
    module = workflow.create(
        ContentKind.MODULE, "lokal-modul", files.new_module("lokal-modul", "Lokal"), author
    )
    quiz_section = files.join({"title": "Kunskapsprov", "kind": "quiz"}, "")
    workflow.save(
        module, module.lock_version, author, files={"quiz.yaml": LOCAL_QUIZ, "02-prov.md": quiz_section}
    )
    workflow.submit(module, author, "Första versionen", is_major=False)
    workflow.start_draft(module.content, author)
    routine = workflow.create(
        ContentKind.ROUTINE,
        "lokal-rutin",
        {"routine.md": files.join({"title": "Rutin"}, "Läs detta.")},
        author,
    )
    workflow.submit(routine, author, "Första versionen", is_major=False)
    workflow.start_draft(routine.content, author)
    certification = workflow.create(
        ContentKind.CERTIFICATION, "lokal-behorighet", {"lokal-behorighet.yaml": "title: Lokal\n"}, author
    )
    image = media.store(PNG, "image/png", org.id, author.id)
    db.session.commit()
    return {
        "local_module": module.content_id,
        "local_routine": routine.content_id,
        "local_certification": certification.content_id,
        "media": image.sha256,
    }


CASES = [
    (endpoint, expect, role) for endpoint, expects in MATRIX.items() for expect in expects for role in ROLES
]


@pytest.mark.parametrize(
    ("endpoint", "expect", "role"), CASES, ids=[f"{e}-{x.method}-{r}" for e, x, r in CASES]
)
def test_route_status_by_role(client, world, endpoint, expect, role):
    users, ids = world
    if role != "anonymous":
        sign_in(client, users[role])
    with client.open(expect.url.format(**ids), method=expect.method) as response:
        assert response.status_code == expect.statuses[role], response.text[:500]
    if response.status_code == LOGIN and role == "anonymous" and endpoint not in PUBLIC_REDIRECTS:
        assert "/login" in response.headers["Location"]
