"""Statistics for authors: completion and drop-off per module and section, exercise step failure rates,
and the item analysis scoped to the author's organisation. Numbers of the author's own organisation
only, never another's people or another's local material."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.routing import BuildError

from portal.assessment import statistics_routes as item_analysis_routes
from portal.assessment.statistics import refresh_statistics
from portal.authoring import exercise_statistics, statistics
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.learning import services as learning
from portal.models import (
    Module,
    ModuleCompletion,
    ProgressStatus,
    QuizVersion,
    Role,
    RunMode,
    SectionProgress,
    SectionVersion,
    User,
)
from portal.simulator import services as simulator
from portal.simulator.catalogue import scenarios
from tests.assessment.builders import STATISTICS_QUIZ, add_attempt
from tests.content.builders import write_module, write_quiz_module
from tests.statements import recorded_statements

THREE_SECTIONS = {
    "01-start.md": "---\ntitle: {sv: Start, en: Start}\n---\nText.\n",
    "02-mitten.md": "---\ntitle: {sv: Mitten, en: Middle}\n---\nText.\n",
    "03-slut.md": "---\ntitle: {sv: Slut, en: End}\n---\nText.\n",
}
ACCIDENTAL = "02-felaktigt-larm"  # the operator answers within 60 s and closes; dispatching is forbidden
DAY_ONE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
QUESTIONS = ["q1", "q2", "q3"]
ALL_RIGHT = {"q1": ("a", 1.0), "q2": (["x", "y"], 1.0), "q3": ({"p1": "c1", "p2": "c2"}, 1.0)}


# --- the world ------------------------------------------------------------------------------------


@pytest.fixture
def other_org(make_org):
    return make_org("Grannkommun")


@pytest.fixture
def modules(app, tmp_path, org, other_org):
    """National 'grunder' (three sections) and 'prov' (a quiz); local 'egen' and 'lokalprov' of the
    author's organisation; local 'annan' and 'annatprov' of the neighbouring one."""
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    write_module(root, slug="grunder", sections=THREE_SECTIONS)
    for slug in ("egen", "annan"):
        write_module(root, slug=slug)
    for slug in ("prov", "lokalprov", "annatprov"):
        write_quiz_module(root, slug=slug, quiz=STATISTICS_QUIZ)
    sync_modules(load_modules(root))
    for slug, owner in (("egen", org), ("lokalprov", org), ("annan", other_org), ("annatprov", other_org)):
        module_named(slug).organisation_id = owner.id
    db.session.commit()


@pytest.fixture
def author(org, make_user):
    return make_user(org, username="larmteam", roles={Role.LEARNER, Role.AUTHOR})


@pytest.fixture
def in_english(client, login, author):
    login(author)
    client.post("/language", data={"language": "en"})


def module_named(slug: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.slug == slug))


def sections_of(slug: str) -> list[SectionVersion]:
    return module_named(slug).current_version.sections


def people(organisation, make_user, count: int) -> list[User]:
    return [make_user(organisation) for _ in range(count)]


def open_section(person: User, slug: str, number: int, *, complete: bool = False) -> None:
    """The person opens section ``number`` (1, 2, …) of the module as a learner does, and completes it."""
    module = module_named(slug)
    section = module.current_version.sections[number - 1]
    learning.visit(person, module, section)
    if complete:
        learning.complete_section(person, module, section)
    db.session.commit()


def took_days(person: User, slug: str, days: float) -> None:
    """Every section of the module done, and the module completed, ``days`` after the first section
    was started."""
    module = module_named(slug)
    for section in module.current_version.sections:
        db.session.add(
            SectionProgress(
                user_id=person.id,
                section_version_id=section.id,
                status=ProgressStatus.COMPLETED,
                started_at=DAY_ONE,
                completed_at=DAY_ONE + timedelta(days=days),
            )
        )
    db.session.add(
        ModuleCompletion(
            user_id=person.id,
            module_version_id=module.current_version_id,
            completed_at=DAY_ONE + timedelta(days=days),
        )
    )
    db.session.commit()


def table_rows(page: str, caption_id: str) -> dict[str, list[str]]:
    """The rows of the table with that caption: row header text → the other cells' text."""
    table = re.search(rf'<caption id="{caption_id}".*?</table>', page, re.S)
    assert table, f"no table {caption_id}"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            rows[_text(header.group(1))] = [_text(cell) for cell in cells]
    return rows


def _text(fragment: str) -> str:
    """The text as a screen reader says it: without what is hidden from it."""
    spoken = re.sub(r'<span aria-hidden="true">.*?</span>', "", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", spoken)).split())


# --- modules and sections -------------------------------------------------------------------------


def test_sections_show_where_people_stop(app, modules, org, other_org, author, make_user):
    first, second, third, fourth = people(org, make_user, 4)
    for person in (first, second, third):
        open_section(person, "grunder", 1, complete=True)
    open_section(fourth, "grunder", 1)  # opened, never completed
    open_section(first, "grunder", 2, complete=True)
    open_section(first, "grunder", 3, complete=True)
    for neighbour in people(other_org, make_user, 3):  # all the way through: not the author's people
        for number in (1, 2, 3):
            open_section(neighbour, "grunder", number, complete=True)

    figures = statistics.section_figures(module_named("grunder").current_version, org.id)

    assert [(f.number, f.started, f.completed) for f in figures] == [(1, 4, 3), (2, 1, 1), (3, 1, 1)]
    assert [(f.previous_completed, f.stopped) for f in figures] == [(None, None), (3, 2), (1, 0)]
    assert figures[1].drop_off == pytest.approx(200 / 3)
    assert figures[2].drop_off == 0
    overview = {f.module.slug: f for f in statistics.module_figures(org.id)}["grunder"]
    assert (overview.started, overview.completed, overview.completion_rate) == (4, 1, 25.0)


def test_the_module_page_shows_the_drop_off_in_words(modules, org, make_user, client, in_english):
    first, second, third, fourth = people(org, make_user, 4)
    for person in (first, second, third):
        open_section(person, "grunder", 1, complete=True)
    open_section(fourth, "grunder", 1)
    open_section(first, "grunder", 2)

    page = client.get("/authoring/statistics/modules/grunder").text

    rows = table_rows(page, "sections-caption")
    assert rows["Start Text"] == ["1", "4", "3", "first section"]
    assert rows["Middle Text"] == ["2", "1", "0", "67% (2 of 3)"], "2 of the 3 who finished Start stopped"
    assert rows["End Text"] == ["3", "0", "0", "no figure yet"], "nobody completed Middle: no share"
    assert '<h1><span class="muted">Statistics</span><br>Basics grunder</h1>' in page
    assert "National module, version 1.0." in page
    assert not [p.full_name for p in (first, second, third, fourth) if p.full_name in page], "nobody is named"


def test_completion_and_the_median_days_to_complete(modules, org, other_org, make_user):
    for days in (1, 2, 5, 10):
        took_days(make_user(org), "grunder", days)
    took_days(make_user(other_org), "grunder", 100)
    open_section(make_user(org), "grunder", 1)  # started, not completed

    grunder = {f.module.slug: f for f in statistics.module_figures(org.id)}["grunder"]
    assert (grunder.started, grunder.completed, grunder.completion_rate) == (5, 4, 80.0)
    assert grunder.median_days == pytest.approx(3.5), "the mean of the two middle values, 2 and 5"

    took_days(make_user(org), "grunder", 20)
    grunder = {f.module.slug: f for f in statistics.module_figures(org.id)}["grunder"]
    assert grunder.median_days == pytest.approx(5.0), "the middle of five"


def test_the_overview_lists_national_and_own_local_modules(modules, org, make_user, client, in_english):
    for days in (1, 3):
        took_days(make_user(org), "egen", days)

    page = client.get("/authoring/statistics").text

    rows = table_rows(page, "modules-caption")
    assert rows["Basics egen"] == ["Local", "1.0", "2", "2", "100% (2 of 2)", "2.0"]
    assert rows["Basics grunder"] == ["National", "1.0", "0", "0", "no figure yet", "no figure yet"]
    assert "Basics annan" not in page, "another organisation's local module"
    assert 'href="/authoring/statistics/modules/egen"' in page
    assert 'href="/authoring/statistics/quizzes"' in page, "on to the question statistics"


def test_another_organisations_local_module_does_not_exist(modules, client, in_english):
    assert client.get("/authoring/statistics/modules/annan").status_code == 404
    assert client.get("/authoring/statistics/modules/nowhere").status_code == 404
    assert client.get("/authoring/statistics/modules/egen").status_code == 200


def test_the_module_page_links_to_its_quizs_item_analysis(modules, client, in_english):
    quiz_version_id = module_named("lokalprov").current_version.sections[1].quiz_version_id
    page = client.get("/authoring/statistics/modules/lokalprov").text
    assert f'href="/authoring/statistics/quizzes/{quiz_version_id}"' in page


def test_queries_do_not_grow_with_the_number_of_people(app, modules, org, make_user):
    def statements_for_everything() -> int:
        db.session.expire_all()
        version = module_named("grunder").current_version
        assert len(version.sections) == 3
        organisation_id = org.id
        with recorded_statements() as counted:
            statistics.module_figures(organisation_id)
            statistics.section_figures(version, organisation_id)
        return len(counted)

    took_days(make_user(org), "grunder", 1)
    assert statements_for_everything() == 4, "modules and their counts; sections' counts and stops"
    for days in range(2, 12):
        took_days(make_user(org), "grunder", days)
    assert statements_for_everything() == 4


# --- who may look ---------------------------------------------------------------------------------

PAGES = [
    "/authoring/statistics",
    "/authoring/statistics/modules/grunder",
    f"/authoring/statistics/exercises/{ACCIDENTAL}",
]


@pytest.mark.parametrize("roles", [{Role.LEARNER}, {Role.LEARNER, Role.MANAGER}, {Role.ADMIN}])
@pytest.mark.parametrize("url", PAGES)
def test_only_authors_see_the_statistics(modules, org, make_user, client, login, roles, url):
    login(make_user(org, roles=roles))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(modules, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- exercises ------------------------------------------------------------------------------------


def exercise(person: User, client_key: str, scenario: str = ACCIDENTAL, role: str = "operator"):
    return simulator.create_run(
        scenarios()[scenario], mode=RunMode.EXERCISE, client=client_key, user=person, role=role
    )


def act(run, action: str) -> None:
    keys = [simulator.option_key(o) for o in simulator.options_of(run, simulator.live(run))]
    simulator.act(run, next(key for key in keys if key.split(":")[2] == action))


@pytest.fixture
def runs(app, org, other_org, make_user):
    """The author's organisation: one perfect run, one with nothing done, one answered late with a
    forbidden dispatch, and one not finished; the neighbours: one with nothing done; one demo."""
    perfect = exercise(make_user(org), "perfect")
    simulator.play_model_answer(perfect)
    simulator.finish(perfect)
    simulator.finish(exercise(make_user(org), "idle"))
    careless = exercise(make_user(org), "careless")
    simulator.advance(careless, 120)  # past the 60 seconds the answer may take
    act(careless, "answer")
    act(careless, "dispatch")
    simulator.finish(careless)
    exercise(make_user(org), "unfinished")
    simulator.finish(exercise(make_user(other_org), "neighbour"))
    simulator.create_run(scenarios()[ACCIDENTAL], mode=RunMode.DEMO, client="demo")


def test_exercise_step_failure_rates_from_real_runs(runs, org):
    [figures] = exercise_statistics.exercise_figures(org.id)
    assert (figures.scenario_slug, figures.role, figures.runs, figures.passed) == (
        ACCIDENTAL,
        "operator",
        3,
        1,
    )
    assert figures.pass_rate == pytest.approx(100 / 3)

    steps = {s.step: s for s in exercise_statistics.step_figures(org.id, ACCIDENTAL)["operator"]}
    answer, close = steps["answer"], steps["close"]
    assert (answer.runs, answer.missed, answer.late, answer.out_of_order) == (3, 1, 1, 0)
    assert (close.runs, close.missed, close.late) == (3, 2, 0)
    assert close.missed_share == pytest.approx(200 / 3)
    assert [
        (f.action, f.runs) for f in exercise_statistics.forbidden_figures(org.id, ACCIDENTAL)["operator"]
    ] == [("dispatch", 1)]


def test_the_exercise_pages_show_the_rates_in_words(runs, client, in_english):
    overview = client.get("/authoring/statistics").text
    assert table_rows(overview, "exercises-caption")["Accidental alarm"] == [
        "Alarm operator",
        "3",
        "33% (1 of 3)",
    ]
    assert f'href="/authoring/statistics/exercises/{ACCIDENTAL}"' in overview

    page = client.get(f"/authoring/statistics/exercises/{ACCIDENTAL}").text
    steps = table_rows(page, "steps-caption-1")
    assert list(steps.values()) == [
        ["3", "33% (1 of 3)", "33% (1 of 3)", "0% (0 of 3)"],
        ["3", "67% (2 of 3)", "0% (0 of 3)", "0% (0 of 3)"],
    ], "answer, then close: the scenario's order"
    assert list(table_rows(page, "forbidden-caption-1").values()) == [["33% (1 of 3)"]]
    assert "As Alarm operator" in page


def test_an_exercise_nobody_has_finished(modules, client, in_english):
    page = client.get("/authoring/statistics/exercises/03-ingen-talkontakt")
    assert page.status_code == 200
    assert "Nobody in your organisation has finished this exercise yet." in page.text
    assert client.get("/authoring/statistics/exercises/no-such-scenario").status_code == 404


def test_another_organisations_exercises_are_not_counted(runs, other_org):
    [figures] = exercise_statistics.exercise_figures(other_org.id)
    assert (figures.runs, figures.passed) == (1, 0)


# --- the item analysis, scoped --------------------------------------------------------------------


def quiz_version_of(slug: str) -> QuizVersion:
    return db.session.scalar(
        sa.select(QuizVersion).join(Module, Module.id == QuizVersion.module_id).where(Module.slug == slug)
    )


@pytest.fixture
def analysed(modules, org, make_user):
    """Two perfect attempts at each quiz, analysed: every question is flagged as too easy."""
    for slug in ("prov", "lokalprov", "annatprov"):
        version = quiz_version_of(slug)
        section = module_named(slug).current_version.sections[1]
        for person in people(org, make_user, 2):
            add_attempt(version.id, section.id, person.id, 1, ALL_RIGHT, QUESTIONS)
        refresh_statistics(version)
    db.session.commit()


@pytest.fixture
def question_editor(app):
    """The authoring question editor's endpoint, as a stand-in while it is not there."""
    if "authoring.question_edit" not in app.view_functions:
        app.add_url_rule(
            "/authoring/modules/<slug>/quiz/questions/<question_id>", endpoint="authoring.question_edit"
        )


def test_the_item_analysis_lists_national_and_own_local_quizzes(analysed, client, in_english):
    page = client.get("/authoring/statistics/quizzes").text
    assert f'href="/authoring/statistics/quizzes/{quiz_version_of("prov").id}"' in page
    assert f'href="/authoring/statistics/quizzes/{quiz_version_of("lokalprov").id}"' in page
    assert f"/authoring/statistics/quizzes/{quiz_version_of('annatprov').id}" not in page
    assert "Basics annatprov" not in page


def test_another_organisations_quiz_analysis_does_not_exist(analysed, client, in_english):
    other = quiz_version_of("annatprov").id
    assert client.get(f"/authoring/statistics/quizzes/{other}").status_code == 404
    assert client.get(f"/authoring/statistics/quizzes/{other}.csv").status_code == 404


def test_flagged_local_questions_link_to_their_editor(question_editor, analysed, client, in_english):
    page = client.get(f"/authoring/statistics/quizzes/{quiz_version_of('lokalprov').id}").text
    assert "Too easy" in page
    for question_id in QUESTIONS:
        assert (
            f'<a href="/authoring/modules/lokalprov/quiz/questions/{question_id}">Edit question {question_id}</a>'
            in page
        )
    assert "National material" not in page


def test_flagged_national_questions_are_edited_in_content(question_editor, analysed, client, in_english):
    page = client.get(f"/authoring/statistics/quizzes/{quiz_version_of('prov').id}").text
    assert page.count("National material – edited in content/") == len(QUESTIONS)
    assert "/quiz/questions/" not in page


def test_without_the_editor_a_flagged_local_question_has_no_link(analysed, client, in_english, monkeypatch):
    def no_editor(endpoint, **values):
        raise BuildError(endpoint, values, "GET")

    monkeypatch.setattr(item_analysis_routes, "url_for", no_editor)
    page = client.get(f"/authoring/statistics/quizzes/{quiz_version_of('lokalprov').id}")
    assert page.status_code == 200
    assert "Too easy" in page.text
    assert "Edit question" not in page.text
