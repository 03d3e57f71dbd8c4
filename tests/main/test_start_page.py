"""The start page: who the person is and where they work, read in one round trip after the user's row."""

from datetime import date

from portal.extensions import db
from portal.models import Membership, Position
from tests.statements import recorded_statements


def test_the_start_page_shows_every_current_unit_and_the_organisation_in_two_statements(
    client, login, org, make_unit, make_user
):
    north, night, old = (
        make_unit(org, name) for name in ("Hemtjänst Norr", "Nattpatrullen", "Hemtjänst Väst")
    )
    anna = make_user(org, unit=north)
    db.session.add_all(
        [
            Membership(
                user_id=anna.id,
                unit_id=night.id,
                position=Position.CARE_ASSISTANT,
                started_on=date(2025, 1, 1),
            ),
            Membership(
                user_id=anna.id,
                unit_id=old.id,
                position=Position.ASSISTANT_NURSE,
                started_on=date(2020, 1, 1),
                ended_on=date(2024, 12, 31),
            ),
        ]
    )
    db.session.commit()
    login(anna)
    db.session.expunge_all()  # as a new request finds it: nothing of the person loaded yet
    with recorded_statements() as statements:
        page = client.get("/").text
    assert "Hemtjänst Norr" in page
    assert "Nattpatrullen" in page
    assert "Hemtjänst Väst" not in page, "an ended membership is not where one works"
    assert org.name in page
    assert len(statements) == 2, "the user's row, then organisation and memberships with their units"
