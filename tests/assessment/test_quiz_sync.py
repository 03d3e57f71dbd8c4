"""Content sync stores each quiz.yaml as an immutable quiz version tied to its quiz section."""

import pytest
import sqlalchemy as sa

from portal.assessment import services
from portal.content.errors import ContentError
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import Module, QuizVersion, SectionVersion
from tests.content.builders import QUIZ_YAML, write_quiz_module


def sync(root):
    report = sync_modules(load_modules(root))
    db.session.commit()
    return report


def quiz_section(slug="prov") -> SectionVersion:
    module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
    return next(s for s in module.current_version.sections if s.kind.value == "quiz")


def test_sync_stores_the_quiz_and_links_its_section(app, tmp_path):
    write_quiz_module(tmp_path)
    sync(tmp_path)
    section = quiz_section()
    assert section.quiz_version is not None
    assert section.quiz_version.source == QUIZ_YAML
    assert section.quiz_version.title == {"sv": "Prov om larm", "en": "Alarm test"}
    assert services.quiz_of(section.quiz_version).length == 4


def test_an_unchanged_quiz_is_not_stored_again(app, tmp_path):
    write_quiz_module(tmp_path)
    sync(tmp_path)
    write_quiz_module(tmp_path, version="1.1")  # same files, new version number
    (tmp_path / "prov" / "01-start.md").write_text(
        "---\ntitle: Start\n---\nLäs detta först!\n", encoding="utf-8"
    )
    sync(tmp_path)
    assert db.session.scalar(sa.select(sa.func.count(QuizVersion.id))) == 1


def test_a_changed_quiz_is_a_new_quiz_version_and_a_new_quiz_section(app, tmp_path):
    write_quiz_module(tmp_path)
    sync(tmp_path)
    old_section = quiz_section()
    old_text = next(s for s in old_section_module_sections() if s.slug == "start")
    write_quiz_module(tmp_path, version="1.1", quiz=QUIZ_YAML.replace("pass_mark: 60", "pass_mark: 75"))
    sync(tmp_path)
    new_section = quiz_section()
    assert new_section.id != old_section.id, "a pass of the old quiz does not carry over as unchanged"
    assert new_section.quiz_version_id != old_section.quiz_version_id
    assert services.quiz_of(new_section.quiz_version).pass_mark == 75
    assert services.quiz_of(old_section.quiz_version).pass_mark == 60, "the old version is kept as it was"
    assert next(s for s in old_section_module_sections() if s.slug == "start").id == old_text.id


def old_section_module_sections():
    return db.session.scalar(sa.select(Module).where(Module.slug == "prov")).current_version.sections


def test_a_quiz_section_without_quiz_yaml_is_a_content_error(app, tmp_path):
    folder = write_quiz_module(tmp_path)
    (folder / "quiz.yaml").unlink()
    with pytest.raises(ContentError, match="has a quiz section but no quiz.yaml"):
        load_modules(tmp_path)


def test_a_malformed_quiz_names_file_and_line(app, tmp_path):
    folder = write_quiz_module(
        tmp_path, quiz=QUIZ_YAML.replace("    correct: central\n", "    correct: nobody\n")
    )
    with pytest.raises(ContentError) as raised:
        load_modules(tmp_path)
    line = QUIZ_YAML.splitlines().index("    correct: central") + 1
    assert f"{folder / 'quiz.yaml'}:{line}" in str(raised.value)
    assert "nobody" in str(raised.value)
