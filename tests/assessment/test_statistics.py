"""Item statistics over the database: `flask quiz analyse`, the cache, the authors' pages and the CSV file.

The attempts below are the hand-computed matrix of test_analysis.py, stored as real attempts:

           q1  q2  q3    T
  A1 (u1)   1   1   1    3
  A2 (u2)   1   1   0    2
  A3 (u3)   1   0   1    2
  A4 (u4)   1   0   0    1     q2 never answered: no QuizAnswer row, scores 0
  A5 (u5)   0   0  0.5   0.5
  A6 (u1#2) 0   0   0    0     a retake: only in "all attempts"; q3 never answered
  u6        1   1   1          in progress: never counted

First attempts (see test_analysis.py for the arithmetic):
  q1 facility 0.8, SD 0.447, D 0.302;  q2 0.4, 0.548, 0.272;  q3 0.5, 0.5, 0.0 (flagged)
  quiz mean 56.667 %, SD 32.489 %, alpha 0.316
All attempts (6): q1 facility 4/6 = 0.667, q2 2/6 = 0.333, q3 2.5/6 = 0.417;
  mean = (100 + 66.667 + 66.667 + 33.333 + 16.667 + 0) / 6 = 47.222 %
"""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.assessment.core import Flag, ItemStats, QuizStats, parse_quiz
from portal.assessment.statistics import ChoiceReader, cached_statistics
from portal.assessment.statistics_report import csv_table, option_lines
from portal.extensions import db
from portal.models import QuizStatistics, Role, User
from tests.assessment.builders import STATISTICS_QUIZ, add_attempt, sync_quiz_module

QUESTIONS = ["q1", "q2", "q3"]
RIGHT_PAIRS = {"p1": "c1", "p2": "c2"}
ATTEMPTS = {  # user: [(number, {question: (response, score)}, submitted)]
    "u1": [
        (1, {"q1": ("a", 1.0), "q2": (["x", "y"], 1.0), "q3": (RIGHT_PAIRS, 1.0)}, True),
        (2, {"q1": ("b", 0.0), "q2": (["z"], 0.0)}, True),
    ],
    "u2": [(1, {"q1": ("a", 1.0), "q2": (["y", "x"], 1.0), "q3": ({"p1": "c2", "p2": "c1"}, 0.0)}, True)],
    "u3": [(1, {"q1": ("a", 1.0), "q2": (["x"], 0.0), "q3": (RIGHT_PAIRS, 1.0)}, True)],
    "u4": [(1, {"q1": ("a", 1.0), "q3": ({"p1": "c3", "p2": "c3"}, 0.0)}, True)],
    "u5": [(1, {"q1": ("b", 0.0), "q2": (["z"], 0.0), "q3": ({"p1": "c1", "p2": "c1"}, 0.5)}, True)],
    "u6": [(1, {"q1": ("a", 1.0), "q2": (["x", "y"], 1.0), "q3": (RIGHT_PAIRS, 1.0)}, False)],
}


@pytest.fixture
def quiz_ids(app, tmp_path, org, make_user):
    """The statistics quiz synced, with the attempts above; returns (quiz version id, section id)."""
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    quiz_version_id, section_id = sync_quiz_module(root)
    for username, attempts in ATTEMPTS.items():
        user = make_user(org, username=username)
        for number, answers, submitted in attempts:
            add_attempt(quiz_version_id, section_id, user.id, number, answers, QUESTIONS, submitted)
    return quiz_version_id, section_id


@pytest.fixture
def analysed(quiz_ids, runner):
    result = runner.invoke(args=["quiz", "analyse"])
    assert result.exit_code == 0, result.output
    return quiz_ids[0], result.output


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def test_cli_caches_the_hand_computed_first_attempt_statistics(analysed):
    quiz_version_id, output = analysed
    assert f"statistik: quiz version {quiz_version_id}" in output
    assert "5 first attempts (6 in all), mean 56.7 %, alpha 0.316, 1 flagged question" in output
    stats = cached_statistics(quiz_version_id).stats
    assert (stats.attempts, rounded(stats.mean_percent), rounded(stats.sd_percent)) == (5, 56.667, 32.489)
    assert rounded(stats.alpha) == 0.316
    expected = {"q1": (0.8, 0.447, 0.302), "q2": (0.4, 0.548, 0.272), "q3": (0.5, 0.5, 0.0)}
    for question_id, (facility, sd, discrimination) in expected.items():
        item = stats.item(question_id)
        assert item.attempts == 5
        assert (rounded(item.facility), rounded(item.sd), rounded(item.discrimination)) == (
            facility,
            sd,
            discrimination,
        )
    assert stats.item("q3").flags == {Flag.LOW_DISCRIMINATION}
    assert not stats.item("q1").flags


def test_option_counts_with_matching_pairs_and_unanswered_questions(analysed):
    stats = cached_statistics(analysed[0]).stats
    assert stats.item("q1").option_counts == (("a", 4), ("b", 1))
    assert stats.item("q2").option_counts == (("x", 3), ("y", 2), ("z", 1)), "u4 chose nothing"
    assert dict(stats.item("q3").option_counts) == {
        "p1→c1": 3,
        "p2→c2": 2,
        "p1→c2": 1,
        "p2→c1": 2,
        "p1→c3": 1,
        "p2→c3": 1,
    }


def test_all_attempts_are_cached_too(analysed):
    stats = cached_statistics(analysed[0], first_attempts_only=False).stats
    assert stats.attempts == 6, "the retake counts, the attempt in progress does not"
    facilities = [rounded(stats.item(q).facility) for q in QUESTIONS]
    assert facilities == [0.667, 0.333, 0.417]
    assert rounded(stats.mean_percent) == 47.222
    assert stats.item("q1").option_counts == (("a", 4), ("b", 2))
    assert stats.item("q3").attempts == 6, "an unanswered question is still an attempt at it (scored 0)"


def test_in_progress_attempts_alone_are_not_analysed(app, tmp_path, org, make_user, runner):
    app.config["CONTENT_DIR"] = str(tmp_path)
    (tmp_path / "modules").mkdir()
    quiz_version_id, section_id = sync_quiz_module(tmp_path / "modules")
    user = make_user(org)
    add_attempt(quiz_version_id, section_id, user.id, 1, {"q1": ("a", 1.0)}, QUESTIONS, submitted=False)
    result = runner.invoke(args=["quiz", "analyse"])
    assert result.exit_code == 0
    assert "nothing to analyse" in result.output
    assert cached_statistics(quiz_version_id) is None


def test_analysing_again_replaces_the_cache(analysed, quiz_ids, runner, org, make_user):
    quiz_version_id, section_id = quiz_ids
    newcomer = make_user(org, username="u7")
    add_attempt(quiz_version_id, section_id, newcomer.id, 1, {}, QUESTIONS)  # submitted, nothing answered
    assert runner.invoke(args=["quiz", "analyse", "--module", "statistik"]).exit_code == 0
    assert cached_statistics(quiz_version_id).stats.attempts == 6
    assert cached_statistics(quiz_version_id).stats.item("q1").facility == pytest.approx(4 / 6)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizStatistics)) == 2


def test_module_option_limits_the_run_and_refuses_an_unknown_module(quiz_ids, runner, tmp_path):
    other_id, _section = sync_quiz_module(tmp_path / "modules", slug="annat")
    result = runner.invoke(args=["quiz", "analyse", "--module", "annat"])
    assert result.exit_code == 0
    assert "nothing to analyse" in result.output, "the other module has no attempts"
    assert cached_statistics(quiz_ids[0]) is None
    unknown = runner.invoke(args=["quiz", "analyse", "--module", "finns-inte"])
    assert unknown.exit_code != 0
    assert "no module with the slug 'finns-inte'" in unknown.output
    assert cached_statistics(other_id) is None


@pytest.mark.parametrize(
    ("question_id", "response", "chosen"),
    [
        ("q1", "a", ("a",)),
        ("q1", "nope", ()),
        ("q1", ["a"], ()),  # wrong shape: nothing chosen
        ("q2", ["y", "x", "y", "w"], ("y", "x")),
        ("q2", "x", ()),
        ("q3", {"p2": "c1", "p1": "c3", "p9": "c1"}, ("p1→c3", "p2→c1")),
        ("q3", None, ()),
        ("q3", {"p1": 3}, ()),
        ("ordning", ["svar", "larm", "ut"], ("1→svar", "2→larm", "3→ut")),
        ("sant", "false", ("false",)),
        ("minuter", "2,5", ()),
    ],
)
def test_stored_responses_become_chosen_ids(question_id, response, chosen):
    from tests.content.builders import QUIZ_YAML

    quizzes = [parse_quiz(STATISTICS_QUIZ), parse_quiz(QUIZ_YAML)]
    question = next(q for quiz in quizzes for q in quiz.questions if q.id == question_id)
    reader = ChoiceReader(question)
    stored = json.dumps(response)  # as the database holds it
    assert reader(stored) == chosen
    assert reader(stored) is reader(stored), "the same response shares one tuple"


def test_unreadable_responses_count_as_nothing_chosen():
    reader = ChoiceReader(parse_quiz(STATISTICS_QUIZ).question("q3"))
    assert reader(None) == ()
    assert reader("{not json") == ()
    assert reader('{"p1": ["c1"]}') == ()
    assert reader('[{"p1": "c1"}]') == ()


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def author(org, make_user):
    return make_user(org, username="larmteam", roles={Role.LEARNER, Role.AUTHOR})


def in_english(client, login, user):
    login(user)
    client.post("/language", data={"language": "en"})


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.ADMIN])
def test_the_list_shows_each_quiz_version_with_its_numbers(analysed, client, login, org, make_user, role):
    in_english(client, login, make_user(org, username="reader", roles={role}))
    page = client.get("/authoring/statistics/quizzes").text
    assert "Basics statistik" in page, "the module's title in the reader's language"
    assert "Statistics test" in page
    assert '<td class="number">5</td>' in page
    assert "56.7%" in page
    assert "32.5%" in page
    assert "0.32 (unsatisfactory)" in page
    assert f'href="/authoring/statistics/quizzes/{analysed[0]}"' in page
    if role is Role.ADMIN:  # authors reach it from their statistics page, under the menu's "Statistics"
        assert '<a href="/authoring/statistics/quizzes" aria-current="page">Question statistics</a>' in page


def test_numbers_follow_the_swedish_locale_by_default(analysed, client, login, author):
    login(author)
    page = client.get("/authoring/statistics/quizzes").text
    assert "56,7\u00a0%" in page
    assert "0,32" in page
    detail = client.get(f"/authoring/statistics/quizzes/{analysed[0]}").text
    assert '<td class="number">0,80</td>' in detail
    assert "Vem svarar på larmet?" in detail


def test_the_list_says_when_the_analysis_has_not_run(quiz_ids, client, login, author):
    in_english(client, login, author)
    page = client.get("/authoring/statistics/quizzes").text
    assert "Not analysed yet" in page
    assert "flask quiz analyse" in page


def test_the_detail_page_shows_questions_options_and_flags(analysed, client, login, author):
    in_english(client, login, author)
    page = client.get(f"/authoring/statistics/quizzes/{analysed[0]}").text
    assert "Who answers the alarm?" in page, "question text in English where there is one"
    assert '<span lang="sv">Vad gör personalen på plats?</span>' in page, "else Swedish, marked as such"
    assert "<td>Single choice</td>" in page
    assert "<td>Matching</td>" in page
    assert '<td class="number">0.80</td>' in page, "q1's facility"
    assert '<td class="number">0.30</td>' in page, "q1's discrimination"
    assert "Low discrimination" in page
    assert "those who do well on the rest of the quiz" in page, "the flag explained"
    assert '<th scope="row">The alarm centre</th>\n                  <td>Yes</td>' in page
    assert '<th scope="row">Larmcentral → Beslutar</th>' in page, "a chosen wrong pair"
    assert "Computed from each person's first submitted attempt." in page
    assert "0.32 – unsatisfactory" in page
    assert "corrected item–total correlation" in page, "the formulas are explained"
    learners = db.session.scalars(sa.select(User).where(User.username.in_(ATTEMPTS))).all()
    assert not [u.full_name for u in learners if u.full_name in page], "no learner is named"


def test_computed_at_is_shown_in_stockholm_time(analysed, client, login, author):
    row = db.session.get(QuizStatistics, (analysed[0], True))
    row.computed_at = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # summer time: 00:30 the next day
    db.session.commit()
    in_english(client, login, author)
    assert (
        "Computed Jul 2, 2026, 12:30:00\u202fAM."
        in client.get(f"/authoring/statistics/quizzes/{analysed[0]}").text
    )


def test_the_detail_page_switches_to_all_attempts(analysed, client, login, author):
    in_english(client, login, author)
    page = client.get(f"/authoring/statistics/quizzes/{analysed[0]}?all=1").text
    assert "Computed from all submitted attempts" in page
    assert '<td class="number">0.67</td>' in page
    assert f'href="/authoring/statistics/quizzes/{analysed[0]}.csv?all=1"' in page


def test_detail_before_analysis_and_for_an_unknown_quiz(quiz_ids, client, login, author):
    in_english(client, login, author)
    page = client.get(f"/authoring/statistics/quizzes/{quiz_ids[0]}")
    assert page.status_code == 200
    assert "Not analysed yet" in page.text
    assert client.get(f"/authoring/statistics/quizzes/{quiz_ids[0]}.csv").status_code == 404
    assert client.get("/authoring/statistics/quizzes/9999").status_code == 404
    assert client.get("/authoring/statistics/quizzes/9999.csv").status_code == 404


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_download_has_the_numbers(analysed, client, login, author):
    login(author)
    response = client.get(f"/authoring/statistics/quizzes/{analysed[0]}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "statistics-statistik-" in response.headers["Content-Disposition"]
    rows = parse_csv(response.data)
    assert len(rows) == 4
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["q1"][1] == "Vem svarar på larmet?", "Swedish by default"
    assert by_id["q1"][3:7] == ["5", "0,800", "0,447", "0,302"], "decimal commas, as Swedish Excel reads"
    assert by_id["q2"][3:7] == ["5", "0,400", "0,548", "0,272"]
    assert by_id["q3"][4:7] == ["0,500", "0,500", "0,000"]
    assert by_id["q3"][7] != "", "the flag is named"
    assert by_id["q1"][8] == "a=4 b=1"


def test_csv_text_cannot_become_a_formula(app):
    quiz = parse_quiz(STATISTICS_QUIZ.replace('"Vem svarar på larmet?"', "\"=HYPERLINK('http://x')\""))
    with app.test_request_context():
        rows = csv_table(quiz, QuizStats(0, 0.0, 0.0, None, ()), "sv")
    assert rows[1][1] == "'=HYPERLINK('http://x')"
    assert rows[2][1] == "Vad gör personalen på plats?"


def test_ordering_lines_show_the_right_place_of_each_item_and_every_place_chosen(app):
    from tests.content.builders import QUIZ_YAML

    question = parse_quiz(QUIZ_YAML).question("ordning")  # larm, svar, ut in the right order
    counts = (("1→larm", 3), ("1→svar", 1), ("2→larm", 1), ("2→svar", 3), ("3→ut", 4))
    item = ItemStats("ordning", 4, 0.75, 0.5, None, counts, frozenset())
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        lines = option_lines(question, item, "en")
    assert [(line.label, line.count, line.correct) for line in lines] == [
        ("Place 1 → Brukaren larmar", 3, True),
        ("Place 1 → Centralen svarar", 1, False),
        ("Place 2 → Brukaren larmar", 1, False),
        ("Place 2 → Centralen svarar", 3, True),
        ("Place 3 → Personal åker ut", 4, True),
    ]
    assert lines[0].share == pytest.approx(0.75)


def test_csv_of_all_attempts(analysed, client, login, author):
    login(author)
    rows = parse_csv(client.get(f"/authoring/statistics/quizzes/{analysed[0]}.csv?all=1").data)
    assert {row[0]: row[3:5] for row in rows[1:]}["q1"] == ["6", "0,667"]


def test_learners_do_not_see_the_menu_item(client, login, org, make_user):
    login(make_user(org, roles={Role.LEARNER, Role.MANAGER}))
    assert "/authoring/statistics" not in client.get("/").text
