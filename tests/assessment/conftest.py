"""Shared fixtures for the assessment core tests."""

from pathlib import Path

import pytest

from portal.assessment.core import Quiz, load_quiz
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from tests.content.builders import write_quiz_module

FIXTURE = Path(__file__).parent / "fixtures" / "modules" / "larmkedjan" / "quiz.yaml"


@pytest.fixture(scope="session")
def quiz() -> Quiz:
    """Return the example quiz about the alarm chain."""
    return load_quiz(FIXTURE)


@pytest.fixture
def quiz_course(app, tmp_path, org, make_unit, make_user):
    """A synced module with a quiz section (tests/content/builders.QUIZ_YAML) and a learner."""
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    write_quiz_module(root)
    sync_modules(load_modules(root))
    db.session.commit()
    return root, make_user(org, username="anna", unit=make_unit(org))
