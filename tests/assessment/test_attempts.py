"""Taking a quiz through the web layer: start, save, resume, deadline, submit, result, refusals."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.assessment import services
from portal.assessment.core import draw
from portal.extensions import db
from portal.models import (
    AttemptStatus,
    AuditEvent,
    ModuleCompletion,
    ProgressStatus,
    QuizAnswer,
    QuizAttempt,
    SectionProgress,
    utcnow,
)
from tests.content.builders import QUIZ_RIGHT_ANSWERS

START = "/learning/modules/prov/prov/attempts"


@pytest.fixture
def anna(client, login, quiz_course):
    _root, learner = quiz_course
    login(learner)
    return learner


def started(client) -> QuizAttempt:
    response = client.post(START)
    assert response.status_code == 302, response.text
    attempt_id = int(response.headers["Location"].split("/")[-2])
    return db.session.get(QuizAttempt, attempt_id)


def post_answer(client, attempt, number, fields, **kwargs):
    qid = attempt.question_ids[number - 1]
    return client.post(
        f"/learning/attempts/{attempt.id}/{number}", data={"question": qid, **fields}, **kwargs
    )


def answer_everything(client, attempt, answers=QUIZ_RIGHT_ANSWERS):
    for number, qid in enumerate(attempt.question_ids, start=1):
        assert post_answer(client, attempt, number, answers[qid]).status_code == 302


def stored(attempt) -> dict[str, object]:
    rows = db.session.scalars(sa.select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id))
    return {row.question_id: row.response for row in rows}


def test_the_quiz_section_shows_the_rules_and_a_start_button(client, anna):
    page = client.get("/learning/modules/prov/prov").text
    assert "Prov om larm" in page
    assert "4 frågor." in page
    assert "Godkänt: 60 % rätt." in page
    assert "Tidsgräns: 10 minuter." in page
    assert "Starta provet" in page


def test_start_draws_from_a_stored_seed_and_the_draw_is_reproducible(client, anna):
    attempt = started(client)
    quiz = services.quiz_of(attempt.quiz_version)
    assert len(attempt.question_ids) == 4
    assert {"valj-en", "ordning"} <= set(attempt.question_ids), "fixed questions are always drawn"
    assert len(set(attempt.question_ids) - {"valj-en", "ordning"}) == 2, "the pool gives its count"
    again = draw(quiz, attempt.seed, frozenset(attempt.seen_question_ids))
    assert list(again.question_ids) == attempt.question_ids
    assert attempt.deadline == attempt.started_at + timedelta(minutes=10)


def test_starting_twice_resumes_the_open_attempt(client, anna):
    first = started(client)
    second = started(client)
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1


def test_two_learners_get_different_attempts(client, anna, quiz_course, org, make_user, login):
    first = started(client)
    other = make_user(org, username="bertil")
    client.post("/logout")
    login(other)
    second = started(client)
    quiz = services.quiz_of(first.quiz_version)
    one, two = (services.draw_of(a, quiz) for a in (first, second))
    assert first.seed != second.seed
    assert (one.question_ids, one.option_orders) != (two.question_ids, two.option_orders)


def test_a_second_attempt_prefers_questions_not_seen_before(client, anna):
    first = started(client)
    client.post(f"/learning/attempts/{first.id}/submit")
    second = started(client)
    pool_first = set(first.question_ids) - {"valj-en", "ordning"}
    pool_second = set(second.question_ids) - {"valj-en", "ordning"}
    assert second.number == 2
    assert not pool_first & pool_second, "the pool has 4 questions: the second attempt gets the 2 unseen"
    assert set(second.seen_question_ids) == set(first.question_ids)


def test_answers_are_saved_and_a_reload_shows_every_one(client, anna):
    attempt = started(client)
    answer_everything(client, attempt)
    assert stored(attempt)["valj-en"] == "central"
    assert stored(attempt)["ordning"] == ["larm", "svar", "ut"]
    for number, qid in enumerate(attempt.question_ids, start=1):
        page = client.get(f"/learning/attempts/{attempt.id}/{number}").text
        assert "Sparat" in page
        if qid == "valj-en":
            assert 'value="central" checked' in page
        if qid == "minuter":
            assert 'value="30"' in page


def test_navigation_saves_and_moves(client, anna):
    attempt = started(client)
    response = post_answer(client, attempt, 2, {"go": "previous"})
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}/1")
    response = post_answer(client, attempt, 1, {"go": "4"})
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}/4")
    response = post_answer(client, attempt, 4, {"go": "next"})
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}/summary")


def test_javascript_saves_return_json(client, anna):
    attempt = started(client)
    qid = attempt.question_ids[0]
    response = post_answer(
        client, attempt, 1, QUIZ_RIGHT_ANSWERS[qid], headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json["saved"] is True
    assert qid in stored(attempt)


def test_an_answer_to_a_question_not_on_the_page_is_refused(client, anna):
    attempt = started(client)
    not_drawn = next(q for q in QUIZ_RIGHT_ANSWERS if q not in attempt.question_ids)
    response = client.post(f"/learning/attempts/{attempt.id}/1", data={"question": not_drawn, "answer": "x"})
    assert response.status_code == 400
    assert "Svaret gällde en fråga som inte finns på den här sidan" in response.text
    assert stored(attempt) == {}


def test_a_forged_option_id_is_refused_and_nothing_is_stored(client, anna):
    attempt = started(client)
    number = attempt.question_ids.index("valj-en") + 1
    post_answer(client, attempt, number, {"answer": "central"})
    response = post_answer(client, attempt, number, {"answer": "<script>"})
    assert response.status_code == 400
    assert "Svaret angav ett alternativ som frågan inte har." in response.text
    assert stored(attempt)["valj-en"] == "central", "the earlier answer is untouched"


def test_a_question_number_outside_the_attempt_is_not_found(client, anna):
    attempt = started(client)
    assert client.get(f"/learning/attempts/{attempt.id}/5").status_code == 404
    assert client.get(f"/learning/attempts/{attempt.id}/0").status_code == 404
    assert client.get("/learning/attempts/99999/1").status_code == 404


def test_an_order_with_a_place_used_twice_gets_a_clear_error(client, anna):
    attempt = started(client)
    number = attempt.question_ids.index("ordning") + 1
    fields = {"position-larm": "1", "position-svar": "1", "position-ut": "3"}
    response = post_answer(client, attempt, number, fields)
    assert response.status_code == 422
    assert "Varje plats kan bara användas en gång." in response.text
    assert 'role="alert"' in response.text
    assert "ordning" not in stored(attempt)


def test_a_number_that_is_not_a_number_gets_a_clear_error_and_keeps_the_old_answer(app, client, anna):
    attempt = started(client)
    if "minuter" not in attempt.question_ids:
        attempt = _attempt_with(client, "minuter")
    number = attempt.question_ids.index("minuter") + 1
    post_answer(client, attempt, number, {"answer": "25"})
    response = post_answer(client, attempt, number, {"answer": "tjugo"})
    assert response.status_code == 422
    assert "Skriv ett tal" in response.text
    assert 'value="tjugo"' in response.text, "what the learner typed is shown again to be corrected"
    assert stored(attempt)["minuter"] == "25"
    response = post_answer(client, attempt, number, {"answer": "2,5"})
    assert response.status_code == 302
    assert stored(attempt)["minuter"] == "2,5"


def _attempt_with(client, question_id: str) -> QuizAttempt:
    """Restart until the pool draws `question_id` (an attempt's draw is random; 2 of 4 are drawn)."""
    for _ in range(50):
        db.session.execute(sa.delete(QuizAnswer))
        db.session.execute(sa.delete(AuditEvent))
        db.session.execute(sa.delete(QuizAttempt))
        db.session.commit()
        attempt = started(client)
        if question_id in attempt.question_ids:
            return attempt
    raise AssertionError(f"{question_id} was never drawn")


def test_someone_elses_attempt_is_forbidden(client, anna, org, make_user, login):
    attempt = started(client)
    post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[attempt.question_ids[0]])
    client.post("/logout")
    login(make_user(org, username="bertil"))
    base = f"/learning/attempts/{attempt.id}"
    refused = client.get(f"{base}/1")
    assert refused.status_code == 403
    assert "Provförsöket tillhör någon annan." in refused.text
    assert post_answer(client, attempt, 1, {"answer": "chef"}).status_code == 403
    assert client.get(f"{base}/summary").status_code == 403
    assert client.post(f"{base}/submit").status_code == 403
    assert client.get(base).status_code == 403
    db.session.refresh(attempt)
    assert attempt.is_open
    assert len(stored(attempt)) == 1


def test_submit_grades_once_and_shows_the_result(client, anna):
    attempt = started(client)
    answer_everything(client, attempt)
    summary = client.get(f"/learning/attempts/{attempt.id}/summary").text
    assert "Lämna in provet" in summary
    response = client.post(f"/learning/attempts/{attempt.id}/submit")
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}")
    assert client.post(f"/learning/attempts/{attempt.id}/submit").status_code == 302, (
        "a double submit is fine"
    )
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.SUBMITTED
    assert attempt.percent == pytest.approx(100.0)
    assert attempt.passed is True
    graded = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "quiz.graded")).all()
    assert len(graded) == 1
    page = client.get(f"/learning/attempts/{attempt.id}").text
    assert "100 % rätt" in page
    assert "Godkänt" in page


def test_passing_completes_the_quiz_section_and_the_module(client, anna):
    client.post("/learning/modules/prov/start/complete")
    attempt = started(client)
    answer_everything(client, attempt)
    client.post(f"/learning/attempts/{attempt.id}/submit")
    progress = db.session.scalars(sa.select(SectionProgress).where(SectionProgress.user_id == anna.id)).all()
    assert {p.section.slug: p.status for p in progress} == {
        "start": ProgressStatus.COMPLETED,
        "prov": ProgressStatus.COMPLETED,
    }
    assert db.session.scalar(sa.select(ModuleCompletion)) is not None
    assert "Du har klarat provet." in client.get("/learning/modules/prov/prov").text


def test_failing_does_not_complete_the_section(client, anna):
    attempt = started(client)
    client.post(f"/learning/attempts/{attempt.id}/submit")  # nothing answered
    db.session.refresh(attempt)
    assert attempt.percent == 0
    assert attempt.passed is False
    progress = db.session.scalars(sa.select(SectionProgress).where(SectionProgress.user_id == anna.id)).all()
    assert all(p.status is ProgressStatus.STARTED for p in progress)
    page = client.get(f"/learning/attempts/{attempt.id}").text
    assert "Inte godkänt" in page
    assert "inte besvarad" in page
    assert "Rätt svar:" in page, "the quiz's review policy is full: the key is shown"


def test_the_quiz_cannot_be_clicked_done(client, anna):
    assert client.post("/learning/modules/prov/prov/complete").status_code == 400


def test_answers_after_submit_are_refused_with_a_message(client, anna):
    attempt = started(client)
    client.post(f"/learning/attempts/{attempt.id}/submit")
    qid = attempt.question_ids[0]
    response = post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[qid], follow_redirects=True)
    assert "redan lämnats in" in response.text
    response = post_answer(
        client, attempt, 1, QUIZ_RIGHT_ANSWERS[qid], headers={"Accept": "application/json"}
    )
    assert response.status_code == 409
    assert response.json["redirect"].endswith(f"/learning/attempts/{attempt.id}")
    assert stored(attempt) == {}


def _expire(attempt: QuizAttempt, seconds_ago: int) -> None:
    attempt.deadline = utcnow() - timedelta(seconds=seconds_ago)
    db.session.commit()


def test_an_answer_after_deadline_and_grace_is_refused_and_the_attempt_handed_in(client, anna):
    attempt = started(client)
    first, second = attempt.question_ids[:2]
    post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[first])
    _expire(attempt, seconds_ago=31)
    response = post_answer(client, attempt, 2, QUIZ_RIGHT_ANSWERS[second], follow_redirects=True)
    assert "Tiden tog slut" in response.text
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.SUBMITTED
    assert attempt.auto_submitted
    assert set(stored(attempt)) == {first}, "the late answer was not stored; the one in time was graded"
    assert attempt.percent == pytest.approx(25.0)


def test_an_answer_within_the_grace_period_is_accepted(client, anna):
    attempt = started(client)
    _expire(attempt, seconds_ago=10)
    qid = attempt.question_ids[0]
    assert post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[qid]).status_code == 302
    assert qid in stored(attempt)


def test_an_expired_attempt_is_handed_in_when_opened(client, anna):
    attempt = started(client)
    post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[attempt.question_ids[0]])
    _expire(attempt, seconds_ago=120)
    response = client.get(f"/learning/attempts/{attempt.id}/2")
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}")
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.SUBMITTED
    assert attempt.auto_submitted


def test_expired_attempts_are_handed_in_by_the_scheduled_job(runner, client, anna, org, make_user, login):
    late = started(client)
    _expire(late, seconds_ago=120)
    client.post("/logout")
    login(make_user(org, username="bertil"))
    in_grace = started(client)
    _expire(in_grace, seconds_ago=10)
    result = runner.invoke(args=["quiz", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "Handed in 1 attempt whose time ran out." in result.output
    db.session.refresh(late)
    db.session.refresh(in_grace)
    assert late.status is AttemptStatus.SUBMITTED
    assert late.auto_submitted
    assert in_grace.is_open, "still within the grace period"


def test_attempts_allowed_are_enforced(client, anna):
    for _ in range(3):
        attempt = started(client)
        client.post(f"/learning/attempts/{attempt.id}/submit")
    response = client.post(START, follow_redirects=True)
    assert "Du har använt alla dina försök" in response.text
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 3


def test_a_background_save_that_arrives_late_does_not_overwrite_a_newer_one(client, anna):
    attempt = started(client)
    number = attempt.question_ids.index("valj-en") + 1
    post_answer(client, attempt, number, {"answer": "central", "page_key": "sida1", "page_seq": "5"})
    post_answer(client, attempt, number, {"answer": "chef", "page_key": "sida1", "page_seq": "3"})
    assert stored(attempt)["valj-en"] == "central", "save 3 of the page was sent before save 5"
    post_answer(client, attempt, number, {"answer": "chef", "page_key": "sida2", "page_seq": "1"})
    assert stored(attempt)["valj-en"] == "chef", "a new page load (a reload, another device) is newer"
    post_answer(client, attempt, number, {"answer": "central"})
    assert stored(attempt)["valj-en"] == "central", "a save without JavaScript is always the latest"
    post_answer(client, attempt, number, {"answer": "chef", "page_key": "sida2", "page_seq": "0"})
    assert stored(attempt)["valj-en"] == "chef", "a save kept without page key is older than any next save"


def test_continuing_an_attempt_goes_to_the_first_unanswered_question(client, anna):
    attempt = started(client)
    post_answer(client, attempt, 1, QUIZ_RIGHT_ANSWERS[attempt.question_ids[0]])
    response = client.post(START)
    assert response.headers["Location"].endswith(f"/learning/attempts/{attempt.id}/2")
    page = client.get("/learning/modules/prov/prov").text
    assert "Fortsätt försök 1" in page
    answer_everything(client, attempt)
    assert client.post(START).headers["Location"].endswith(f"/learning/attempts/{attempt.id}/summary")


def test_a_pass_starts_a_new_round_of_attempts(client, anna):
    first = started(client)
    client.post(f"/learning/attempts/{first.id}/submit")  # failed: 2 attempts left
    second = started(client)
    answer_everything(client, second)
    client.post(f"/learning/attempts/{second.id}/submit")  # passed
    page = client.get("/learning/modules/prov/prov").text
    assert "Starta ett nytt försök" in page, "a retake (to renew, or to practise) is possible after a pass"
    for _ in range(3):
        attempt = started(client)
        client.post(f"/learning/attempts/{attempt.id}/submit")
    assert "Du har använt alla dina försök" in client.post(START, follow_redirects=True).text
