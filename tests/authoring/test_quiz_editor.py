"""The quiz editor of a local module's draft: creating the quiz, a form for each type of question,
the settings, and every save checked as a whole quiz before anything is written."""

import re
from html import escape
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal.assessment.core import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    QuestionType,
    SingleChoice,
    TrueFalse,
    parse_quiz,
)
from portal.authoring import workflow
from portal.authoring.files import QUIZ_FILE, new_module, sections, split
from portal.authoring.quiz_data import question_form_data, question_from_form
from portal.authoring.quiz_forms import QuestionForm
from portal.authoring.quiz_yaml import dump_quiz, read_quiz
from portal.extensions import db
from portal.models import ContentKind, Revision, RevisionStatus, Role
from tests.authoring.test_quiz_yaml import question as quiz_question

SLUG = "nyckelrutin"

# For each type: the fields an author types in the form, and the question they make in quiz.yaml.
CASES = {
    "single": (
        {
            "id": "nyckelns-plats", "text_sv": "Var förvaras nycklarna?", "text_en": "Where are the keys kept?",
            "tags": "nyckel, plats", "options-0-id": "skap", "options-0-text_sv": "Inlåsta",
            "options-1-id": "bil", "options-1-text_sv": "I bilen", "options-1-feedback_sv": "Nej, inlåsta.",
            "correct_option": "0", "explanation_sv": "Bara den som åker på larm.\r\n\r\nAndra stycket.",
        },
        {
            "id": "nyckelns-plats", "type": "single", "tags": ["nyckel", "plats"],
            "text": {"sv": "Var förvaras nycklarna?", "en": "Where are the keys kept?"},
            "options": [
                {"id": "skap", "text": "Inlåsta"},
                {"id": "bil", "text": "I bilen", "feedback": "Nej, inlåsta."},
            ],
            "correct": "skap", "explanation": "Bara den som åker på larm.\n\nAndra stycket.",
        },
    ),
    "multiple": (
        {
            "id": "pa-plats", "text_sv": "Vad gör du på plats?", "options-0-text_sv": "Hjälper brukaren",
            "options-0-correct": "y", "options-1-id": "dok", "options-1-text_sv": "Dokumenterar",
            "options-1-correct": "y", "options-2-id": "diagnos", "options-2-text_sv": "Ställer diagnos",
            "options-2-feedback_sv": "Nej.", "options-2-feedback_en": "No.", "scoring": "all_or_nothing",
        },
        {
            "id": "pa-plats", "type": "multiple", "text": "Vad gör du på plats?",
            "options": [
                {"id": "hjalper-brukaren", "text": "Hjälper brukaren"},
                {"id": "dok", "text": "Dokumenterar"},
                {"id": "diagnos", "text": "Ställer diagnos", "feedback": {"sv": "Nej.", "en": "No."}},
            ],
            "correct": ["hjalper-brukaren", "dok"], "scoring": "all_or_nothing",
        },
    ),
    "truefalse": (
        {"id": "kvitto", "text_sv": "Brukaren får ett kvitto.", "true_or_false": "true",
         "feedback_false_sv": "Jo, en nyckelkvittens."},
        {"id": "kvitto", "type": "truefalse", "text": "Brukaren får ett kvitto.", "correct": True,
         "feedback_false": "Jo, en nyckelkvittens."},
    ),
    "ordering": (
        {"id": "steg", "text_sv": "Sätt stegen i ordning.", "items-0-id": "ta", "items-0-text_sv": "Ta nyckeln",
         "items-1-id": "kolla", "items-1-text_sv": "Kontrollera koden", "items-3-id": "lamna",
         "items-3-text_sv": "Lämna tillbaka"},
        {"id": "steg", "type": "ordering", "text": "Sätt stegen i ordning.",
         "items": [{"id": "ta", "text": "Ta nyckeln"}, {"id": "kolla", "text": "Kontrollera koden"},
                   {"id": "lamna", "text": "Lämna tillbaka"}]},
    ),
    "matching": (
        {"id": "roller", "text_sv": "Para ihop.", "premises-0-id": "p1", "premises-0-text_sv": "Larmcentral",
         "premises-0-match": "c1", "premises-0-feedback_sv": "De svarar.", "premises-1-text_sv": "Hemtjänst",
         "premises-1-match": "c2", "choices-0-id": "c1", "choices-0-text_sv": "Svarar", "choices-1-id": "c2",
         "choices-1-text_sv": "Åker ut", "choices-2-id": "c3", "choices-2-text_sv": "Beslutar"},
        {"id": "roller", "type": "matching", "text": "Para ihop.",
         "premises": [{"id": "p1", "text": "Larmcentral", "match": "c1", "feedback": "De svarar."},
                      {"id": "hemtjanst", "text": "Hemtjänst", "match": "c2"}],
         "choices": [{"id": "c1", "text": "Svarar"}, {"id": "c2", "text": "Åker ut"},
                     {"id": "c3", "text": "Beslutar"}]},
    ),
    "numeric": (
        {"id": "tid", "text_sv": "Hur många minuter?", "answer": "2,5", "tolerance": "0,5", "unit_sv": "minuter",
         "unit_en": "minutes"},
        {"id": "tid", "type": "numeric", "text": "Hur många minuter?", "answer": 2.5, "tolerance": 0.5,
         "unit": {"sv": "minuter", "en": "minutes"}},
    ),
}  # fmt: skip
PARSED_TYPE = {
    "single": SingleChoice,
    "multiple": MultipleChoice,
    "truefalse": TrueFalse,
    "ordering": Ordering,
    "matching": Matching,
    "numeric": Numeric,
}


@pytest.fixture
def author(org, make_user, make_unit):
    user = make_user(org, username="larmteam", roles={Role.LEARNER, Role.AUTHOR}, unit=make_unit(org))
    user.language = "en"  # the messages checked below are the English originals
    db.session.commit()
    return user


@pytest.fixture
def draft(author) -> Revision:
    revision = workflow.create(ContentKind.MODULE, SLUG, new_module(SLUG, "Nyckelrutin"), author)
    db.session.commit()
    return revision


@pytest.fixture
def editor(client, login, author, draft):
    login(author)
    return client


def fresh(draft: Revision) -> Revision:
    db.session.expire_all()
    return db.session.get(Revision, draft.id)


def quiz_text(draft: Revision) -> str:
    return fresh(draft).files[QUIZ_FILE]


def quiz_url(draft: Revision, rest: str = "") -> str:
    return f"/authoring/items/{draft.content_id}/quiz{rest}"


def create_quiz(client, draft):
    return client.post(quiz_url(draft), data={"lock": fresh(draft).lock_version})


def add(client, draft, kind: str, fields: dict, **extra):
    data = {"type": kind, "lock": fresh(draft).lock_version, "action": "save", **fields, **extra}
    return client.post(quiz_url(draft, "/questions"), data=data)


def with_quiz(draft, settings: dict, questions: list[dict]) -> None:
    """quiz.yaml written straight into the draft, as a hand-edited or imported file would be."""
    revision = fresh(draft)
    revision.files = {**revision.files, QUIZ_FILE: dump_quiz(settings, questions)}
    db.session.commit()


def test_creating_the_quiz_adds_quiz_yaml_and_a_quiz_section(editor, draft):
    page = editor.get(quiz_url(draft))
    assert page.status_code == 200
    assert "Create a knowledge test" in page.text
    response = create_quiz(editor, draft)
    assert response.status_code == 302
    files = fresh(draft).files
    settings, questions = read_quiz(files[QUIZ_FILE])
    assert settings["title"] == {"sv": "Kunskapsprov", "en": "Knowledge test"}
    assert questions == []
    quiz_sections = [s for s in sections(files) if split(files[s.path])[0].get("kind") == "quiz"]
    assert [s.path for s in quiz_sections] == ["02-kunskapsprov.md"]
    assert split(files["02-kunskapsprov.md"])[0]["title"] == {"sv": "Kunskapsprov", "en": "Knowledge test"}
    assert "02-kunskapsprov.en.md" in files
    assert "No questions yet." in editor.get(quiz_url(draft)).text


@pytest.mark.parametrize("kind", list(CASES))
def test_each_type_of_question_is_added_and_edited_through_its_form(editor, draft, kind):
    fields, expected = CASES[kind]
    create_quiz(editor, draft)
    blank = editor.post(quiz_url(draft, "/questions"), data={"type": kind, "lock": fresh(draft).lock_version})
    assert blank.status_code == 200
    assert f'name="type" value="{kind}"' in blank.text
    response = add(editor, draft, kind, fields)
    assert response.status_code == 302, response.text
    text = quiz_text(draft)
    assert read_quiz(text)[1] == [expected]
    parsed = parse_quiz(text, QUIZ_FILE, SLUG)
    assert isinstance(parsed.question(expected["id"]), PARSED_TYPE[kind])

    page = editor.get(quiz_url(draft, f"/questions/{expected['id']}"))
    assert page.status_code == 200
    assert escape(expected["id"]) in page.text
    changed = {**_as_posted(page.text), "text_sv": "Ny lydelse", "id": "ny-id", "action": "save"}
    response = editor.post(quiz_url(draft, f"/questions/{expected['id']}"), data=changed)
    assert response.status_code == 302, response.text
    settings, questions = read_quiz(quiz_text(draft))
    assert questions == [{**expected, "id": "ny-id", "text": _with_swedish(expected["text"], "Ny lydelse")}]
    parse_quiz(quiz_text(draft), QUIZ_FILE, SLUG)


def _with_swedish(text, swedish):
    return {**text, "sv": swedish} if isinstance(text, dict) else swedish


def _as_posted(page: str) -> dict[str, str]:
    """What a browser would send for the form on the page: every field as it is filled in."""

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self.textarea, self.select = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "textarea":
                self.textarea = name
                self.data[name] = ""
            elif tag == "input" and name and name not in ("csrf_token",):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.data[name] = attrs.get("value", "" if attrs.get("type") != "checkbox" else "y")
            elif tag == "option" and "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
            elif tag == "select":
                self.select = name

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.data[self.textarea] = self.data[self.textarea].removeprefix("\r\n").removeprefix("\n")
                self.textarea = None

    form_html = page.split('id="question-form"', 1)[1].split("</form>", 1)[0]
    parser = Form()
    parser.feed(form_html)
    return parser.data


BAD = {
    "no right option": (
        "single",
        {"id": "q", "text_sv": "Fråga?", "options-0-text_sv": "Skåpet", "options-1-text_sv": "Bilen"},
        "Mark the right answer.",
        "Skåpet",
    ),
    "no right options": (
        "multiple",
        {"id": "q", "text_sv": "Fråga?", "options-0-text_sv": "Skåpet", "options-1-text_sv": "Bilen"},
        "Mark at least one option as right.",
        "Bilen",
    ),
    "duplicate option ids": (
        "single",
        {"id": "q", "text_sv": "Fråga?", "options-0-id": "a", "options-0-text_sv": "Skåpet", "options-1-id": "a",
         "options-1-text_sv": "Bilen", "correct_option": "0"},
        "The id a is used twice: give each row its own id.",
        "Bilen",
    ),
    "a word for a number": (
        "numeric",
        {"id": "q", "text_sv": "Hur många minuter?", "answer": "trettio"},
        "Write a number, such as 5 or 2,5.",
        'value="trettio"',
    ),
    "a negative tolerance": (
        "numeric",
        {"id": "q", "text_sv": "Hur många minuter?", "answer": "30", "tolerance": "-1"},
        "Write a number, 0 or more.",
        'value="-1"',
    ),
    "a premise matched to a missing choice": (
        "matching",
        {"id": "q", "text_sv": "Para ihop.", "premises-0-text_sv": "Larmcentral", "premises-0-match": "c9",
         "choices-0-id": "c1", "choices-0-text_sv": "Svarar", "choices-1-id": "c2", "choices-1-text_sv": "Åker"},
        "c9 is not the id of a choice: write the id of one of the choices.",
        'value="c9"',
    ),
    "empty question text": (
        "truefalse",
        {"id": "q", "text_sv": "  ", "text_en": "Only English", "true_or_false": "true"},
        "Write the text in Swedish.",
        "Only English",
    ),
    "no true or false": (
        "truefalse",
        {"id": "q", "text_sv": "Stämmer det?", "feedback_true_sv": "Rätt tänkt"},
        "Mark the right answer.",
        "Rätt tänkt",
    ),
    "one item to order": (
        "ordering",
        {"id": "q", "text_sv": "Ordna.", "items-0-text_sv": "Ensam"},
        "Fill in at least 2 rows.",
        "Ensam",
    ),
    "a bad id": (
        "single",
        {"id": "Fråga 1", "text_sv": "Fråga?", "options-0-text_sv": "A", "options-1-text_sv": "B",
         "correct_option": "1"},
        "Use 1–40 characters: a–z, 0–9, - or _, beginning with a letter or digit.",
        'value="Fråga 1"',
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_the_error_and_what_was_typed(editor, draft, case):
    kind, fields, error, typed = BAD[case]
    create_quiz(editor, draft)
    before = quiz_text(draft)
    response = add(editor, draft, kind, fields)
    assert response.status_code == 400
    assert escape(error) in response.text
    assert typed in response.text
    assert 'class="error-summary"' in response.text
    error_summary = response.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    for anchor in re.findall(r'href="#([^"]+)"', error_summary):
        assert f'id="{anchor}"' in response.text, "each error links to its field"
    assert quiz_text(draft) == before


def test_an_unknown_type_of_question_is_refused(editor, draft):
    create_quiz(editor, draft)
    before = quiz_text(draft)
    response = add(editor, draft, "essay", {"id": "q", "text_sv": "Skriv en uppsats."})
    assert response.status_code == 400
    assert "Choose a type of question from the list." in response.text
    assert quiz_text(draft) == before


def test_a_question_id_that_is_taken_is_refused(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "truefalse", CASES["truefalse"][0])
    before = quiz_text(draft)
    response = add(editor, draft, "numeric", {**CASES["numeric"][0], "id": "kvitto"})
    assert response.status_code == 400
    assert "Another question already has the id kvitto." in response.text
    assert quiz_text(draft) == before


def test_more_rows_keeps_what_was_typed_and_saves_nothing(editor, draft):
    create_quiz(editor, draft)
    before = quiz_text(draft)
    fields = {"id": "q", "text_sv": "Fråga?", "options-0-text_sv": "Skåpet"}
    response = add(editor, draft, "single", fields, action="add_rows")
    assert response.status_code == 200
    assert 'value="Skåpet"' in response.text
    assert 'name="options-6-id"' in response.text  # 4 rows to begin with, and 3 more
    assert quiz_text(draft) == before


def test_a_stale_lock_gets_the_conflict_page_and_changes_nothing(editor, draft):
    create_quiz(editor, draft)
    seen = fresh(draft).lock_version
    add(editor, draft, "truefalse", CASES["truefalse"][0])
    after_theirs = quiz_text(draft)
    response = add(editor, draft, "numeric", CASES["numeric"][0], lock=seen)
    assert response.status_code == 409
    assert "Someone else saved first" in response.text
    assert quiz_text(draft) == after_theirs
    moved = editor.post(quiz_url(draft, "/questions/kvitto/delete"), data={"lock": seen})
    assert moved.status_code == 409
    assert quiz_text(draft) == after_theirs


XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def test_markup_in_quiz_text_is_shown_escaped_in_the_editor(editor, draft):
    create_quiz(editor, draft)
    fields = {"id": "xss", "text_sv": XSS[0], "text_en": XSS[1], "options-0-text_sv": XSS[1],
              "options-0-feedback_sv": XSS[0], "options-1-text_sv": "Nej", "correct_option": "0",
              "tags": "a"}  # fmt: skip
    assert add(editor, draft, "single", fields).status_code == 302
    assert read_quiz(quiz_text(draft))[1][0]["text"] == {"sv": XSS[0], "en": XSS[1]}
    for url in (quiz_url(draft), quiz_url(draft, "/questions/xss")):
        page = editor.get(url).text
        for payload in XSS:
            assert payload not in page
        assert escape(XSS[0]) in page
    assert escape(XSS[1]) in editor.get(quiz_url(draft, "/questions/xss")).text


def test_markup_in_quiz_text_is_shown_escaped_to_learners(app, client, login, editor, draft, org, make_user):
    create_quiz(editor, draft)
    fields = {"id": "xss", "text_sv": XSS[0], "options-0-text_sv": XSS[1], "options-1-text_sv": "Nej",
              "correct_option": "1", "explanation_sv": XSS[0]}  # fmt: skip
    assert add(editor, draft, "single", fields).status_code == 302
    _publish(draft)
    learner = make_user(org, username="anna")
    client.post("/logout")
    login(learner)
    started = client.post(f"/learning/modules/{SLUG}/kunskapsprov/attempts")
    assert started.status_code == 302, started.text
    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    for payload in XSS:
        assert payload not in page.text
    assert escape(XSS[0]) in page.text
    assert escape(XSS[1]) in page.text


def _publish(draft: Revision) -> None:
    revision = fresh(draft)
    author = revision.created_by
    author.organisation.review_required = False
    workflow.submit(revision, author, "Första versionen", is_major=False)
    db.session.commit()
    assert fresh(draft).status is RevisionStatus.PUBLISHED


def test_settings_are_saved_and_checked_as_a_whole_quiz(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "truefalse", CASES["truefalse"][0])
    add(editor, draft, "numeric", CASES["numeric"][0], tags="tider")
    settings = {
        "lock": fresh(draft).lock_version, "title_sv": "Prov om nycklar", "title_en": "", "mode": "practice",
        "pass_mark": "70", "attempts_allowed": "3", "cooldown_minutes": "10", "time_limit_minutes": "",
        "penalty": "0,25", "shuffle_options": "y", "counts": "latest", "review": "feedback", "fixed": "kvitto",
        "pools-0-tag": "tider", "pools-0-count": "1", "pools-1-tag": "", "pools-1-count": "",
    }  # fmt: skip
    response = editor.post(quiz_url(draft), data=settings)
    assert response.status_code == 302, response.text
    saved, _questions = read_quiz(quiz_text(draft))
    assert saved == {
        "title": "Prov om nycklar", "mode": "practice", "pass_mark": 70, "attempts_allowed": 3,
        "cooldown_minutes": 10, "shuffle_questions": False, "shuffle_options": True, "partial_credit": False,
        "penalty": 0.25, "counts": "latest", "review": "feedback", "fixed": ["kvitto"],
        "pools": [{"tag": "tider", "count": 1}],
    }  # fmt: skip
    quiz = parse_quiz(quiz_text(draft), QUIZ_FILE, SLUG)
    assert quiz.length == 2

    before = quiz_text(draft)
    unfillable = {**settings, "lock": fresh(draft).lock_version, "pools-0-count": "2", "mode": "exam"}
    response = editor.post(quiz_url(draft), data=unfillable)
    assert response.status_code == 400
    assert "The pool tider draws 2 questions, but only 1 questions tagged tider" in response.text
    assert "A penalty per wrong try only applies in practice mode" in response.text
    assert 'id="pools-0-count-error"' in response.text
    assert quiz_text(draft) == before


def test_renaming_a_fixed_question_renames_it_in_fixed(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "truefalse", CASES["truefalse"][0])
    add(editor, draft, "numeric", CASES["numeric"][0])
    revision = fresh(draft)
    settings, questions = read_quiz(revision.files[QUIZ_FILE])
    with_quiz(draft, {**settings, "fixed": ["tid", "kvitto"]}, questions)
    posted = {**CASES["numeric"][0], "id": "minuter", "lock": fresh(draft).lock_version, "action": "save"}
    assert editor.post(quiz_url(draft, "/questions/tid"), data=posted).status_code == 302
    assert read_quiz(quiz_text(draft))[0]["fixed"] == ["minuter", "kvitto"]


def test_questions_are_moved_and_deleted(editor, draft):
    create_quiz(editor, draft)
    for kind in ("single", "truefalse", "numeric"):
        add(editor, draft, kind, CASES[kind][0])

    def ids():
        return [q["id"] for q in read_quiz(quiz_text(draft))[1]]

    lock = fresh(draft).lock_version
    assert (
        editor.post(
            quiz_url(draft, "/questions/tid/move"), data={"lock": lock, "direction": "up"}
        ).status_code
        == 302
    )
    assert ids() == ["nyckelns-plats", "tid", "kvitto"]
    lock = fresh(draft).lock_version
    editor.post(quiz_url(draft, "/questions/nyckelns-plats/move"), data={"lock": lock, "direction": "up"})
    assert ids() == ["nyckelns-plats", "tid", "kvitto"], "the first stays first"
    response = editor.post(
        quiz_url(draft, "/questions/kvitto/delete"), data={"lock": fresh(draft).lock_version}
    )
    assert response.status_code == 302
    assert ids() == ["nyckelns-plats", "tid"]
    assert (
        editor.post(quiz_url(draft, "/questions/tid/move"), data={"lock": 1, "direction": "x"}).status_code
        == 400
    )


def test_deleting_a_question_a_pool_needs_is_refused(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "truefalse", CASES["truefalse"][0], tags="nyckel")
    add(editor, draft, "numeric", CASES["numeric"][0], tags="nyckel")
    settings, questions = read_quiz(quiz_text(draft))
    with_quiz(draft, {**settings, "fixed": ["kvitto"], "pools": [{"tag": "nyckel", "count": 1}]}, questions)
    before = quiz_text(draft)
    response = editor.post(quiz_url(draft, "/questions/tid/delete"), data={"lock": fresh(draft).lock_version})
    assert response.status_code == 400
    assert "The pool nyckel draws 1 questions, but only 0 questions tagged nyckel" in response.text
    assert quiz_text(draft) == before
    deleted = editor.post(
        quiz_url(draft, "/questions/kvitto/delete"), data={"lock": fresh(draft).lock_version}
    )
    assert deleted.status_code == 302
    settings, questions = read_quiz(quiz_text(draft))
    assert "fixed" not in settings
    assert [q["id"] for q in questions] == ["tid"]


def test_the_problems_of_a_hand_edited_quiz_are_listed(editor, draft):
    create_quiz(editor, draft)
    settings, _questions = read_quiz(quiz_text(draft))
    with_quiz(draft, {**settings, "fixed": ["borta"]}, [{"id": "q1", "type": "truefalse", "text": "Sant?"}])
    page = editor.get(quiz_url(draft))
    assert page.status_code == 200
    assert "Mark the right answer." in page.text
    assert "borta is not a question of this quiz." in page.text


def test_a_quiz_written_elsewhere_with_problems_is_fixed_one_change_at_a_time(editor, draft):
    broken = [{"id": q, "type": "truefalse", "text": "Sant?"} for q in ("q1", "q2")]
    with_quiz(draft, {"title": "Prov"}, [*broken, CASES["numeric"][1]])

    def edit(question_id, **fields):
        page = editor.get(quiz_url(draft, f"/questions/{question_id}")).text
        data = {**_as_posted(page), "action": "save", **fields}
        return editor.post(quiz_url(draft, f"/questions/{question_id}"), data=data)

    assert edit("tid", text_sv="Hur många minuter tar det?").status_code == 302, "adds no problem"
    assert edit("q1", text_sv="Sant?").status_code == 400, "its own problem is still there"
    assert edit("q1", true_or_false="true").status_code == 302
    before = quiz_text(draft)
    refused = edit("tid", answer="")
    assert refused.status_code == 400, "a new problem is refused"
    assert "Question q2: Mark the right answer." in refused.text, "the older ones are listed too"
    assert quiz_text(draft) == before
    assert "q2" in editor.get(quiz_url(draft)).text
    assert [q.get("correct") for q in read_quiz(quiz_text(draft))[1]] == [True, None, None]


def test_a_question_by_module_slug_opens_in_the_open_draft(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "truefalse", CASES["truefalse"][0])
    response = editor.get(f"/authoring/modules/{SLUG}/quiz/questions/kvitto")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(quiz_url(draft, "/questions/kvitto"))
    assert (
        editor.get(f"/authoring/modules/{SLUG}/quiz/questions/kvitto", follow_redirects=True).status_code
        == 200
    )
    assert editor.get("/authoring/modules/nationell-modul/quiz/questions/kvitto").status_code == 404


def test_a_published_module_has_nothing_to_edit_until_a_draft_is_started(editor, draft):
    create_quiz(editor, draft)
    add(editor, draft, "single", CASES["single"][0])
    _publish(draft)
    assert editor.get(quiz_url(draft, "/questions/nyckelns-plats")).status_code == 404
    assert editor.get(quiz_url(draft)).status_code == 404
    response = editor.get(f"/authoring/modules/{SLUG}/quiz/questions/nyckelns-plats")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/authoring/items/{draft.content_id}")
    follow = editor.get(response.headers["Location"])
    assert "Start a draft of the module to edit its questions." in follow.text


def test_a_draft_in_review_is_not_edited(editor, draft):
    create_quiz(editor, draft)
    revision = fresh(draft)
    revision.status = RevisionStatus.IN_REVIEW
    db.session.commit()
    before = quiz_text(draft)
    response = add(editor, draft, "truefalse", CASES["truefalse"][0])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/authoring/items/{draft.content_id}")
    assert "The draft is in review" in editor.get(response.headers["Location"]).text
    assert quiz_text(draft) == before


def routes(draft) -> list[tuple[str, str]]:
    return [
        ("GET", quiz_url(draft)),
        ("POST", quiz_url(draft)),
        ("POST", quiz_url(draft, "/questions")),
        ("GET", quiz_url(draft, "/questions/kvitto")),
        ("POST", quiz_url(draft, "/questions/kvitto")),
        ("POST", quiz_url(draft, "/questions/kvitto/delete")),
        ("POST", quiz_url(draft, "/questions/kvitto/move")),
        ("GET", f"/authoring/modules/{SLUG}/quiz/questions/kvitto"),
    ]


@pytest.mark.parametrize("role", [Role.LEARNER, Role.MANAGER])
def test_learners_and_managers_are_refused_everywhere(client, login, org, make_user, draft, role):
    with_quiz(draft, {"title": "Prov"}, [CASES["truefalse"][1]])
    login(make_user(org, roles={Role.LEARNER, role}))
    for method, url in routes(draft):
        response = client.open(
            url, method=method, data={"lock": fresh(draft).lock_version, "direction": "up"}
        )
        assert response.status_code == 403, (method, url)


def test_an_author_of_another_organisation_finds_nothing(client, login, make_org, make_user, draft):
    with_quiz(draft, {"title": "Prov"}, [CASES["truefalse"][1]])
    before = quiz_text(draft)
    login(make_user(make_org("Grannkommun"), roles={Role.LEARNER, Role.AUTHOR}))
    for method, url in routes(draft):
        response = client.open(
            url, method=method, data={"lock": fresh(draft).lock_version, "direction": "up"}
        )
        assert response.status_code == 404, (method, url)
    assert quiz_text(draft) == before


def test_the_pages_keep_csrf_protection(app, editor, draft):
    create_quiz(editor, draft)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = add(editor, draft, "truefalse", CASES["truefalse"][0])
        assert response.status_code == 400
        assert read_quiz(quiz_text(draft))[1] == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_every_control_has_a_label_and_every_id_is_unique(editor, draft):
    class Page(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.labels, self.controls = [], set(), []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                self.ids.append(attrs["id"])
            if tag == "label":
                self.labels.add(attrs.get("for"))
            if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
                self.controls.append(attrs.get("id"))

    create_quiz(editor, draft)
    for kind, (fields, _expected) in CASES.items():
        add(editor, draft, kind, fields)
    urls = [quiz_url(draft)] + [
        quiz_url(draft, f"/questions/{expected['id']}") for _f, expected in CASES.values()
    ]
    for url in urls:
        page = Page()
        page.feed(editor.get(url).text)
        assert len(page.ids) == len(set(page.ids)), url
        assert all(control and control in page.labels for control in page.controls), url


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=100)
@given(data=st.data())
def test_a_question_opened_and_saved_unchanged_stays_the_same(app, data):
    kind = data.draw(st.sampled_from(list(QuestionType)))
    question = data.draw(quiz_question("q", kind))
    with app.test_request_context():
        form = QuestionForm(data=question_form_data(question))
        built = question_from_form(form, kind.value, set())
    assert built.data == _as_the_editor_writes(question)


def _as_the_editor_writes(question: dict) -> dict:
    """Texts trimmed, a text without English as a plain string, no empty tags, right answers in option order."""

    def text(value):
        if isinstance(value, dict):
            return (
                {"sv": value["sv"].strip(), "en": value["en"].strip()}
                if "en" in value
                else value["sv"].strip()
            )
        return value.strip()

    def entry(value):
        return {key: text(v) if key in ("text", "feedback") else v for key, v in value.items()}

    written = {}
    for key, value in question.items():
        if key in ("text", "explanation", "unit", "feedback_true", "feedback_false"):
            written[key] = text(value)
        elif key in ("options", "items", "premises", "choices"):
            written[key] = [entry(item) for item in value]
        elif key != "tags" or value:
            written[key] = value
    if question["type"] == "multiple":
        written["correct"] = [o["id"] for o in question["options"] if o["id"] in question["correct"]]
    return written
