"""Shared fixtures for the assessment core tests."""

from pathlib import Path

import pytest

from portal.assessment.core import Quiz, load_quiz

FIXTURE = Path(__file__).parent / "fixtures" / "modules" / "larmkedjan" / "quiz.yaml"


@pytest.fixture(scope="session")
def quiz() -> Quiz:
    """Return the example quiz about the alarm chain."""
    return load_quiz(FIXTURE)
