"""Practice mode (check as you go, penalty per wrong try), review policies and which attempt counts."""

import pytest
import sqlalchemy as sa

from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import QuizAnswer, QuizAttempt
from tests.content.builders import QUIZ_RIGHT_ANSWERS, QUIZ_YAML, write_quiz_module

START = "/learning/modules/prov/prov/attempts"
WRONG = {
    "valj-en": {"answer": "chef"},
    "ordning": {"position-larm": "2", "position-svar": "3", "position-ut": "1"},
    "flera": {"answer": ["diagnos"]},
    "sant": {"answer": "false"},
    "para": {"match-central": "aka", "match-hemtjanst": "svara"},
    "minuter": {"answer": "90"},
}


def course_with(app, tmp_path, org, make_unit, make_user, login, client, settings: str):
    """Sync the standard test quiz with `settings` replacing its exam settings; sign a learner in."""
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    quiz = QUIZ_YAML.replace("mode: exam\n", settings)
    write_quiz_module(root, quiz=quiz)
    sync_modules(load_modules(root))
    db.session.commit()
    learner = make_user(org, username="anna", unit=make_unit(org))
    login(learner)
    return learner


def start(client) -> QuizAttempt:
    response = client.post(START)
    return db.session.get(QuizAttempt, int(response.headers["Location"].split("/")[-2]))


def post(client, attempt, qid, fields, go="next"):
    number = attempt.question_ids.index(qid) + 1
    return client.post(
        f"/learning/attempts/{attempt.id}/{number}", data={"question": qid, "go": go, **fields}
    )


@pytest.fixture
def practice(app, tmp_path, org, make_unit, make_user, login, client):
    return course_with(
        app, tmp_path, org, make_unit, make_user, login, client, "mode: practice\npenalty: 0.25\n"
    )


def test_practice_checks_at_once_and_a_wrong_try_costs_a_quarter(client, practice):
    attempt = start(client)
    response = post(client, attempt, "valj-en", WRONG["valj-en"], go="check")
    assert response.status_code == 200
    assert "Inte rätt" in response.text
    assert "Nej – chefen tar inte emot larm." in response.text, "the chosen option's feedback"
    response = post(client, attempt, "valj-en", QUIZ_RIGHT_ANSWERS["valj-en"], go="check")
    assert "Rätt" in response.text
    assert "Larmcentralen svarar och larmar sedan ut personal." in response.text
    answer = db.session.get(QuizAnswer, (attempt.id, "valj-en"))
    assert (answer.wrong_tries, answer.checked_correct) == (1, True)
    page = client.get(f"/learning/attempts/{attempt.id}/{attempt.question_ids.index('valj-en') + 1}").text
    assert "disabled" in page
    assert "Du har svarat rätt på frågan." in page
    for qid in attempt.question_ids:
        if qid != "valj-en":
            post(client, attempt, qid, QUIZ_RIGHT_ANSWERS[qid], go="check")
    client.post(f"/learning/attempts/{attempt.id}/submit")
    db.session.refresh(attempt)
    assert attempt.percent == pytest.approx(100 * (0.75 + 3) / 4), "one wrong try: 0.75 for that question"


def test_practice_does_not_change_an_answer_already_right(client, practice):
    attempt = start(client)
    post(client, attempt, "valj-en", QUIZ_RIGHT_ANSWERS["valj-en"], go="check")
    response = post(client, attempt, "valj-en", WRONG["valj-en"], go="check")
    assert response.status_code == 302
    assert db.session.get(QuizAnswer, (attempt.id, "valj-en")).response == "central"
    assert post(client, attempt, "valj-en", {}).status_code == 302, "moving on from a locked question works"


def test_check_is_refused_in_an_exam(app, tmp_path, org, make_unit, make_user, login, client):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, "mode: exam\n")
    attempt = start(client)
    response = post(client, attempt, "valj-en", WRONG["valj-en"], go="check")
    assert response.status_code == 400
    assert db.session.get(QuizAnswer, (attempt.id, "valj-en")) is None


def test_review_score_only_shows_no_answers(app, tmp_path, org, make_unit, make_user, login, client):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, "review: score\n")
    attempt = start(client)
    post(client, attempt, "valj-en", WRONG["valj-en"])
    client.post(f"/learning/attempts/{attempt.id}/submit")
    page = client.get(f"/learning/attempts/{attempt.id}").text
    assert "Det här provet visar bara resultatet" in page
    assert "Larmcentralen" not in page
    assert "Rätt svar:" not in page


def test_review_feedback_shows_right_and_wrong_but_not_the_key(
    app, tmp_path, org, make_unit, make_user, login, client
):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, "review: feedback\n")
    attempt = start(client)
    post(client, attempt, "valj-en", WRONG["valj-en"])
    client.post(f"/learning/attempts/{attempt.id}/submit")
    page = client.get(f"/learning/attempts/{attempt.id}").text
    assert "Inte rätt" in page
    assert "Nej – chefen tar inte emot larm." in page
    assert "Rätt svar:" not in page
    assert "Förklaring:" not in page


def test_full_review_shows_the_key_for_every_type(client, app, tmp_path, org, make_unit, make_user, login):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, "mode: exam\n")
    attempt = start(client)
    for qid in attempt.question_ids:
        post(client, attempt, qid, WRONG[qid])
    client.post(f"/learning/attempts/{attempt.id}/submit")
    page = client.get(f"/learning/attempts/{attempt.id}").text
    assert page.count("Inte rätt") == 4
    assert "Rätt ordning:" in page
    assert "Rätt svar:" in page


@pytest.mark.parametrize(("counts", "expected"), [("best", 1), ("latest", 2)])
def test_the_attempt_that_counts(app, tmp_path, org, make_unit, make_user, login, client, counts, expected):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, f"counts: {counts}\n")
    first = start(client)
    for qid in first.question_ids:
        post(client, first, qid, QUIZ_RIGHT_ANSWERS[qid])
    client.post(f"/learning/attempts/{first.id}/submit")
    second = start(client)
    client.post(f"/learning/attempts/{second.id}/submit")
    page = client.get("/learning/modules/prov/prov").text.replace("\n", " ")
    counted = sa.select(QuizAttempt).where(QuizAttempt.number == expected)
    counted_id = db.session.scalar(counted).id
    assert (
        f'href="/learning/attempts/{counted_id}">Försök {expected}</a> <span class="tag">räknas</span>'
        in page
    )
    assert "Du har klarat provet." in page, "a pass stays a pass"


def test_cooldown_between_attempts(app, tmp_path, org, make_unit, make_user, login, client):
    course_with(app, tmp_path, org, make_unit, make_user, login, client, "cooldown_minutes: 30\n")
    first = start(client)
    client.post(f"/learning/attempts/{first.id}/submit")
    response = client.post(START, follow_redirects=True)
    assert "Du kan starta ett nytt försök" in response.text
    assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1
