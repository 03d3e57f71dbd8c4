from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.learning import intervals
from portal.models import ProgressStatus, SectionProgress

WATCHED = "/learning/modules/grunder/film/watched"


@pytest.fixture
def anna(client, login, course):
    _root, learner = course
    login(learner)
    client.get("/learning/modules/grunder/film")  # opening the page starts the section's progress
    return learner


def film_progress(user) -> SectionProgress:
    return db.session.scalar(
        sa.select(SectionProgress)
        .where(SectionProgress.user_id == user.id)
        .join(SectionProgress.section)
        .where(sa.text("section_version.slug = 'film'"))
    )


def pretend_time_passed(user, seconds: float) -> None:
    progress = film_progress(user)
    progress.updated_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_range_request_gets_206_with_content_range(client, anna):
    with client.get("/learning/media/grunder/film.mp4") as whole:
        total = len(whole.data)
    with client.get("/learning/media/grunder/film.mp4", headers={"Range": "bytes=0-99"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 0-99/{total}"
        assert len(response.data) == 100
        assert response.headers["Content-Type"] == "video/mp4"
        assert "private" in response.headers["Cache-Control"]
        assert response.headers["Accept-Ranges"] == "bytes"


def test_captions_are_served_as_webvtt(client, anna):
    with client.get("/learning/media/grunder/film.sv.vtt") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/vtt")
        assert response.text.startswith("WEBVTT")


def test_the_page_has_player_tracks_and_transcript(client, anna):
    page = client.get("/learning/modules/grunder/film").text
    assert '<track kind="captions" srclang="sv"' in page
    assert " default>" in page
    assert "Så fungerar kedjan." in page, "the transcript comes from the captions"
    assert "video-progress.js" in page


@pytest.mark.parametrize("path", ["../module.md", "..%2Fmodule.md", "/etc/passwd", "nope.mp4"])
def test_media_outside_the_folder_is_not_served(client, anna, path):
    assert client.get(f"/learning/media/grunder/{path}", follow_redirects=True).status_code == 404


def test_media_needs_a_login(app, course):
    assert app.test_client().get("/learning/media/grunder/film.mp4").status_code == 302


def test_watching_90_percent_completes(client, anna):
    pretend_time_passed(anna, 200)
    response = client.post(WATCHED, json={"intervals": [[0, 60], [60, 110]], "position": 110})
    assert response.status_code == 200
    assert response.json["completed"] is True
    assert film_progress(anna).status is ProgressStatus.COMPLETED


def test_seeking_ahead_does_not_complete(client, anna):
    pretend_time_passed(anna, 200)
    response = client.post(WATCHED, json={"intervals": [[0, 10], [100, 120]], "position": 120})
    assert response.json["completed"] is False
    assert film_progress(anna).watched == [[0.0, 10.0], [100.0, 120.0]]


def test_reporting_the_whole_film_at_once_counts_only_the_time_that_passed(client, anna):
    response = client.post(WATCHED, json={"intervals": [[0, 120]], "position": 120})
    assert response.json["completed"] is False
    assert intervals.covered([tuple(p) for p in film_progress(anna).watched]) <= 20


@pytest.mark.parametrize(
    "report",
    [
        {"intervals": [[10, 5]], "position": 0},
        {"intervals": [[-1, 5]], "position": 0},
        {"intervals": [[0, 500]], "position": 0},
        {"intervals": [["a", "b"]], "position": 0},
        {"intervals": [[0, 5, 9]], "position": 0},
        {"intervals": "all", "position": 0},
        {"intervals": [[0, 5]], "position": 9999},
        {"intervals": [[True, 5]], "position": 0},
        {"intervals": [[0, 1]] * 201, "position": 0},
    ],
)
def test_nonsense_reports_are_refused_and_change_nothing(client, anna, report):
    before = list(film_progress(anna).watched)
    assert client.post(WATCHED, json=report).status_code == 400
    db.session.expire_all()
    assert film_progress(anna).watched == before


def test_a_report_cannot_touch_another_user(client, anna, org, make_user):
    other = make_user(org, username="other")
    pretend_time_passed(anna, 200)
    client.post(WATCHED, json={"intervals": [[0, 115]], "position": 1, "user_id": other.id})
    assert db.session.scalar(sa.select(SectionProgress).where(SectionProgress.user_id == other.id)) is None


def test_reports_for_text_sections_are_refused(client, anna):
    assert (
        client.post("/learning/modules/grunder/start/watched", json={"intervals": [[0, 1]]}).status_code
        == 400
    )
    assert client.post(WATCHED, data="not json", content_type="application/json").status_code == 400


def test_no_javascript_confirmation_completes(client, anna):
    client.post("/learning/modules/grunder/film/complete", data={"confirm_watched": "y"})
    assert film_progress(anna).status is ProgressStatus.COMPLETED


interval_lists = st.lists(
    st.tuples(st.floats(0, 500), st.floats(0, 500))
    .map(lambda t: (min(t), max(t)))
    .filter(lambda t: t[1] > t[0]),
    max_size=20,
)


@given(interval_lists)
def test_merge_keeps_coverage_and_removes_overlaps(spans):
    merged = intervals.merge(spans)
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:], strict=False))
    assert abs(intervals.covered(merged) - intervals.covered(spans)) < 1e-6
    assert intervals.merge(merged) == merged


@given(interval_lists, interval_lists, st.floats(0, 1000))
def test_accept_never_grants_more_than_could_have_been_watched(known, reported, seconds):
    before = intervals.covered(known)
    after = intervals.covered(intervals.accept(known, reported, seconds))
    assert after >= before - 1e-6
    assert after - before <= seconds * intervals.MAX_PLAYBACK_RATE + intervals.SLACK_SECONDS + 1e-6
