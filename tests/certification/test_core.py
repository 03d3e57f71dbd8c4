"""The pure certification rules: expiry dates, status on any day, and the YAML with located errors."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.certification.core import (
    CertificationError,
    Cycle,
    ExpiryBase,
    RequirementKind,
    Status,
    derive_status,
    next_valid_until,
    parse_definition,
)
from portal.certification.core.status import add_months

POSITIONS = frozenset({"assistant_nurse", "care_assistant"})
UNIT_KINDS = frozenset({"home_care", "night_patrol"})
YAML = """\
title: {sv: Larmbehörighet, en: Alarm authorisation}
version: "1.0"
requirements:
  - module: grunder
  - module: larm
  - exercise: ingen-talkontakt
renewal:
  - module: larm
positions: [assistant_nurse]
unit_kinds: [home_care]
validity_months: 24
window_days: 60
expiry_base: previous_expiry
"""


def parse(text: str = YAML):
    return parse_definition(text, "larm.yaml", "larm", POSITIONS, UNIT_KINDS)


def test_a_definition_is_read_with_its_rules():
    definition = parse()
    assert definition.title == {"sv": "Larmbehörighet", "en": "Alarm authorisation"}
    assert [r.kind for r in definition.requirements] == [
        RequirementKind.MODULE, RequirementKind.MODULE, RequirementKind.EXERCISE,
    ]  # fmt: skip
    assert [r.ref for r in definition.renewal] == ["larm"]
    assert definition.modules == {"grunder", "larm"}
    assert definition.applies_to("assistant_nurse", "home_care")
    assert not definition.applies_to("assistant_nurse", "night_patrol")
    assert not definition.applies_to("care_assistant", "home_care")


def test_the_refresher_path_defaults_to_the_requirements():
    definition = parse(YAML.replace("renewal:\n  - module: larm\n", ""))
    assert definition.renewal == definition.requirements


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("validity_months: 24", "validity_months: 0"), "whole number ≥ 1"),
        (("expiry_base: previous_expiry", "expiry_base: fixed"), "unknown expiry_base"),
        (("positions: [assistant_nurse]", "positions: [chef]"), "unknown position 'chef'"),
        (("  - exercise: ingen-talkontakt", "  - course: x"), "a requirement is one of"),
        (('version: "1.0"', "version: ett"), "not major.minor"),
        (("window_days: 60", "window_days: 900"), "as long as the validity"),
    ],
)
def test_a_malformed_definition_names_the_line(change, message):
    line = YAML.splitlines().index(change[0]) + 1
    with pytest.raises(CertificationError) as raised:
        parse(YAML.replace(*change))
    assert f"larm.yaml:{line}:" in str(raised.value)
    assert message in str(raised.value)


def test_months_are_added_as_people_count_them():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 27), 24) == date(2028, 11, 27)
    assert add_months(date(2026, 11, 27), -26) == date(2024, 9, 27)


def test_renewing_early_costs_nothing_from_the_previous_expiry():
    previous = Cycle(date(2024, 6, 1), date(2026, 6, 1))
    early = date(2026, 4, 15)
    assert next_valid_until(ExpiryBase.PREVIOUS_EXPIRY, early, 24, previous) == date(2028, 6, 1)
    assert next_valid_until(ExpiryBase.COMPLETION, early, 24, previous) == date(2028, 4, 15)


def test_renewing_after_expiry_counts_from_the_completion():
    previous = Cycle(date(2024, 6, 1), date(2026, 6, 1))
    late = date(2026, 7, 1)
    assert next_valid_until(ExpiryBase.PREVIOUS_EXPIRY, late, 24, previous) == date(2028, 7, 1)


def test_a_renew_by_day_shortens_the_cycle():
    cycle = Cycle(date(2025, 1, 1), date(2027, 1, 1), renew_by=date(2026, 3, 1))
    assert cycle.ends_on == date(2026, 3, 1)
    assert derive_status(date(2026, 1, 15), cycle, 60).status is Status.WINDOW_OPEN
    assert derive_status(date(2026, 3, 2), cycle, 60).status is Status.EXPIRED


def test_status_through_a_whole_cycle():
    cycle = Cycle(date(2026, 1, 10), date(2028, 1, 10))
    assert derive_status(date(2027, 11, 10), cycle, 60).status is Status.CERTIFIED
    assert derive_status(date(2027, 11, 11), cycle, 60).status is Status.WINDOW_OPEN
    assert derive_status(date(2028, 1, 10), cycle, 60).status is Status.WINDOW_OPEN, (
        "valid through its last day"
    )
    assert derive_status(date(2028, 1, 11), cycle, 60).status is Status.EXPIRED
    revoked = Cycle(date(2026, 1, 10), date(2028, 1, 10), revoked_on=date(2026, 5, 1))
    assert derive_status(date(2026, 5, 1), revoked, 60).status is Status.REVOKED


def test_status_without_a_cycle():
    today = date(2026, 11, 27)
    assert derive_status(today, None, 60).status is Status.NOT_STARTED
    assert derive_status(today, None, 60, due_on=today, requirements_done=1).status is Status.IN_PROGRESS
    overdue = derive_status(today, None, 60, due_on=today - timedelta(days=1), requirements_done=1)
    assert overdue.status is Status.OVERDUE
    assert overdue.due_on == today - timedelta(days=1)


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(days, st.integers(1, 60), st.integers(0, 400))
def test_from_the_previous_expiry_is_never_worse_than_from_completion(certified, months, offset):
    previous = Cycle(certified, add_months(certified, months))
    completed = certified + timedelta(days=offset)
    from_previous = next_valid_until(ExpiryBase.PREVIOUS_EXPIRY, completed, months, previous)
    from_completion = next_valid_until(ExpiryBase.COMPLETION, completed, months, previous)
    assert from_previous >= from_completion
    assert from_completion > completed


@given(days, st.integers(1, 60), st.integers(0, 200), days)
def test_exactly_one_status_and_valid_days_are_never_expired(certified, months, window, today):
    cycle = Cycle(certified, add_months(certified, months))
    standing = derive_status(today, cycle, window)
    if certified <= today <= cycle.valid_until:
        assert standing.status in (Status.CERTIFIED, Status.WINDOW_OPEN)
    if today > cycle.valid_until:
        assert standing.status is Status.EXPIRED
