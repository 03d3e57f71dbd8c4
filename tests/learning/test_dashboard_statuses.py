"""The dashboard's module cards: progress counts the required sections of the current version, a person
who completed an older version is told of the new one, and the sections a process keeps per published
version never come from another database that happens to use the same ids (as tests do)."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import DetachedInstanceError

from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.learning.services import active_modules, module_or_404, statuses
from portal.models import (
    Module,
    ModuleCompletion,
    Organisation,
    ProgressStatus,
    SectionProgress,
    SectionVersion,
    User,
)
from tests.conftest import base_config
from tests.content.builders import write_module
from tests.statements import recorded_statements


def complete_sections(person, module_slug: str, *slugs: str) -> None:
    module = db.session.scalar(sa.select(Module).where(Module.slug == module_slug))
    for section in module.current_version.sections:
        if section.slug in slugs:
            db.session.add(SectionProgress(user_id=person.id, section_version_id=section.id,
                                           status=ProgressStatus.COMPLETED))  # fmt: skip
    db.session.commit()


def status_of(person, slug: str):
    db.session.expire_all()
    found = statuses(person, active_modules(person.organisation_id))
    return next(status for status in found if status.module.slug == slug)


def test_progress_and_a_newer_version_on_the_dashboard(client, login, course):
    root, anna = course
    complete_sections(anna, "grunder", "start", "film", "extra")  # extra is optional: not counted
    status = status_of(anna, "grunder")
    assert (status.done, status.required, status.is_started) == (2, 3, True)
    module = db.session.scalar(sa.select(Module).where(Module.slug == "grunder"))
    db.session.add(ModuleCompletion(user_id=anna.id, module_version_id=module.current_version_id))
    db.session.commit()
    assert status_of(anna, "grunder").is_completed

    (root / "grunder" / "01-start.md").write_text("---\ntitle: Start\n---\nNy text.\n", encoding="utf-8")
    text = (root / "grunder" / "module.md").read_text().replace('version: "1.0"', 'version: "2.0"')
    (root / "grunder" / "module.md").write_text(text, encoding="utf-8")
    sync_modules(load_modules(root))
    db.session.commit()
    status = status_of(anna, "grunder")
    assert status.version.version == "2.0"
    assert status.completed_version.version == "1.0"
    assert status.has_newer_version
    assert not status.is_completed
    assert (status.done, status.required) == (1, 3), "the film is the same section; the new start is not done"
    login(anna)
    page = client.get("/learning/").text
    assert "Ny version 2.0 – du gjorde klart 1.0" in page
    assert "1 av 3 avsnitt klara" in page

    module = db.session.scalar(sa.select(Module).where(Module.slug == "grunder"))
    db.session.add(ModuleCompletion(user_id=anna.id, module_version_id=module.current_version_id))
    db.session.commit()
    status = status_of(anna, "grunder")
    assert status.completed_version.version == "2.0", "the latest version completed"
    assert status.is_completed


def test_the_kept_sections_are_detached_copies(course):
    _root, anna = course
    (module, *_rest) = active_modules(anna.organisation_id)
    section = module.current_version.sections[0]
    assert isinstance(section, SectionVersion)
    assert section not in db.session
    with pytest.raises(DetachedInstanceError):
        section.body_html  # noqa: B018 – the text is not kept, and never loaded by the wrong session

    db.session.expire_all()
    loaded = module_or_404(module.slug, anna.organisation_id)  # the module page's sections, in this session
    (again, *_rest) = active_modules(anna.organisation_id)
    assert again.current_version.sections == loaded.current_version.sections
    assert all(s in db.session for s in again.current_version.sections), "loaded sections are kept"


def dashboard_counts(root, learner: User) -> dict[str, tuple[int, int]]:
    sync_modules(load_modules(root))
    db.session.commit()
    complete_sections(learner, "grunder", "start")
    return {
        s.module.slug: (s.done, s.required)
        for s in statuses(learner, active_modules(learner.organisation_id))
    }


def test_another_database_with_the_same_ids_gets_its_own_sections(tmp_path, create_app_for_test):
    """Two databases where the module `grunder` has the same version id and content but other section
    ids (another module took the first ids): each counts its own sections."""
    for name, sections in (("first", 1), ("second", 4)):
        root = tmp_path / name / "modules"
        root.mkdir(parents=True)
        write_module(
            root,
            slug="aaa",
            sections={f"0{i}-s{i}.md": f"---\ntitle: S{i}\n---\nText.\n" for i in range(sections)},
        )
        write_module(root, slug="grunder", sections={"01-start.md": "---\ntitle: Start\n---\nText.\n",
                                                      "02-slut.md": "---\ntitle: Slut\n---\nText.\n"})  # fmt: skip
    versions = []
    for name in ("first", "second"):
        with create_app_for_test().app_context():
            learner = new_learner()
            assert dashboard_counts(tmp_path / name / "modules", learner)["grunder"] == (1, 2)
            versions.append(
                db.session.scalar(sa.select(Module.current_version_id).where(Module.slug == "grunder"))
            )
            db.session.remove()
    first_version, second_version = versions
    assert first_version == second_version


def new_learner() -> User:
    organisation = Organisation(name="Kommun", code="kommun")
    db.session.add(organisation)
    db.session.flush()
    learner = User(organisation_id=organisation.id, username="anna", full_name="Anna", email="anna@example.com",
                   password_hash="x", active=True)  # fmt: skip
    db.session.add(learner)
    db.session.commit()
    return learner


@pytest.fixture
def create_app_for_test():
    """Apps of their own, each with an in-memory SQLite database (and so an engine) of its own."""
    from portal.app import create_app

    engines = []

    def _create():
        app = create_app(base_config("sqlite://"))
        with app.app_context():
            db.create_all()
            engines.append(db.engine)
        return app

    yield _create
    for engine in engines:
        engine.dispose()


def statements_of(client, path: str) -> int:
    with recorded_statements() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_the_dashboard_statements_do_not_grow_with_modules_and_progress(client, login, course):
    root, anna = course
    login(anna)
    client.get("/learning/")  # the process keeps the versions' sections from the first time
    few = statements_of(client, "/learning/")
    for slug in ("tredje", "fjarde", "femte"):
        write_module(
            root, slug=slug, sections={f"0{i}-a{i}.md": f"---\ntitle: A{i}\n---\nA.\n" for i in range(3)}
        )
    sync_modules(load_modules(root))
    db.session.commit()
    for slug in ("grunder", "tredje", "fjarde"):
        complete_sections(anna, slug, "start", "a0", "a1")
    module = db.session.scalar(sa.select(Module).where(Module.slug == "tredje"))
    db.session.add(ModuleCompletion(user_id=anna.id, module_version_id=module.current_version_id))
    db.session.commit()
    client.get("/learning/")
    assert statements_of(client, "/learning/") == few
