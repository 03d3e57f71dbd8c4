"""The national material in content/ holds to its own rules: eight modules of 3–8 sections, each
with a references section whose sources are the domain brief's, English beside the Swedish, a quiz
pool of at least 15 questions that all explain themselves, a glossary that every link finds, the
four certifications, ten scenarios told in both languages and a film whose captions carry the whole
narration. The content sync itself is run by tests/content/test_sync.py and by `make run`."""

import os
import re
from pathlib import Path

import pytest
import yaml

from portal.alarmchain import load_scenarios
from portal.assessment.core import load_quiz
from portal.certification.core import RequirementKind
from portal.certification.services import POSITIONS, UNIT_KINDS
from portal.certification.sync import load_certifications
from portal.config import ROOT
from portal.content.glossary import load_glossary
from portal.content.loader import GLOSSARY_LINK, MODULE_LINK, load_modules
from portal.content.media import mp4_duration, vtt_cues
from portal.models import SectionKind
from portal.simulator.catalogue import ROLES

CONTENT = ROOT / "content"
BRIEF_SOURCES = CONTENT / "brief-sources.txt"
BRIEF_URL = re.compile(r"https?://[^\s)>|`*\]]+")
MODULES = {module.slug: module for module in load_modules(CONTENT / "modules")}
GLOSSARY = load_glossary(CONTENT / "ordlista.yaml")
SCENARIOS = load_scenarios(CONTENT / "scenarios")
CERTIFICATIONS = {
    source.definition.slug: source.definition
    for source in load_certifications(CONTENT / "certifications", set(MODULES), set(SCENARIOS))
}
THE_EIGHT = (
    "trygghetslarm-grunder",
    "att-atgarda-ett-larm",
    "provlarm-och-tekniska-larm",
    "nyckelhantering-och-tilltrade",
    "installation-och-avslut",
    "sekretess-dokumentation-och-avvikelser",
    "bistandshandlaggarens-del",
    "ledning-och-uppfoljning",
)
MARKDOWN_URL = re.compile(r"\]\((https?://[^)\s]+)\)")


@pytest.fixture(scope="module")
def brief() -> set[str]:
    """The addresses the domain brief cites, as kept in content/brief-sources.txt."""
    lines = BRIEF_SOURCES.read_text("utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def the_brief() -> Path | None:
    """The domain brief itself, when it lies beside the clone (DOMAIN_BRIEF names it elsewhere)."""
    candidates = [os.environ.get("DOMAIN_BRIEF"), ROOT.parent / "shared" / "domain" / "TRYGGHETSLARM.md"]
    return next((Path(c) for c in candidates if c and Path(c).exists()), None)


def test_the_kept_list_of_sources_is_the_briefs(brief):
    path = the_brief()
    if path is None:
        pytest.skip(
            "the domain brief is not beside this clone; content/brief-sources.txt is checked against it where it is"
        )
    cited = {match.group(0).rstrip(".,;:") for match in BRIEF_URL.finditer(path.read_text("utf-8"))}
    assert brief == cited


def quiz_of(slug: str):
    return yaml.safe_load((CONTENT / "modules" / slug / "quiz.yaml").read_text("utf-8"))


# Modules --------------------------------------------------------------------------------------------
def test_the_eight_modules_are_there_in_their_order():
    assert [slug for slug, _ in sorted(MODULES.items(), key=lambda item: item[1].position)] == list(THE_EIGHT)


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_each_module_has_three_to_eight_sections_a_quiz_and_ends_with_its_sources(slug):
    sections = MODULES[slug].sections
    assert 3 <= len(sections) <= 8
    assert sum(s.kind is SectionKind.QUIZ for s in sections) == 1
    references = sections[-1]
    assert references.title == {"sv": "Källor", "en": "Sources"}
    assert references.kind is SectionKind.TEXT
    assert not references.required
    for language in ("sv", "en"):
        assert "|" in references.body[language], "the sources are a table of statements and sources"
        assert len(MARKDOWN_URL.findall(references.body[language])) >= 3


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_every_source_a_module_cites_is_one_of_the_briefs(slug, brief):
    module = MODULES[slug]
    cited = {reference["url"] for reference in module.references}
    cited |= {
        url
        for section in module.sections
        for text in section.body.values()
        for url in MARKDOWN_URL.findall(text)
    }
    assert cited
    assert sorted(url for url in cited if url not in brief) == []


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_each_module_is_in_swedish_and_english(slug):
    module = MODULES[slug]
    assert set(module.title) == set(module.summary) == {"sv", "en"}
    assert set(module.intro) == {"sv", "en"}
    for section in module.sections:
        assert set(section.body) == {"sv", "en"}, f"{section.path} has no English text"


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_a_procedure_module_has_a_checklist(slug):
    assert any(section.kind is SectionKind.CHECKLIST for section in MODULES[slug].sections)


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_links_between_modules_and_to_the_glossary_resolve(slug):
    texts = [text for section in MODULES[slug].sections for text in section.body.values()]
    glossary_links = {target for text in texts for target in GLOSSARY_LINK.findall(text)}
    assert glossary_links, "a module links its key terms to the glossary"
    assert glossary_links <= GLOSSARY.ids
    assert {target for text in texts for target in MODULE_LINK.findall(text)} <= set(MODULES)


# Quizzes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("slug", THE_EIGHT)
def test_each_quiz_pool_has_fifteen_questions_of_mixed_types_and_an_80_percent_pass_mark(slug):
    quiz = load_quiz(CONTENT / "modules" / slug / "quiz.yaml")
    assert len(quiz.questions) >= 15
    assert len({type(question).__name__ for question in quiz.questions}) >= 4
    assert quiz.pass_mark == 80


@pytest.mark.parametrize("slug", THE_EIGHT)
def test_every_question_explains_why_and_every_wrong_answer_gets_feedback(slug):
    for question in quiz_of(slug)["questions"]:
        where = f"{slug}/quiz.yaml: {question['id']}"
        assert set(question.get("explanation") or {}) == {"sv", "en"}, where
        if question["type"] in ("single", "multiple"):
            correct = question["correct"] if isinstance(question["correct"], list) else [question["correct"]]
            for option in question["options"]:
                if option["id"] not in correct:
                    assert set(option.get("feedback") or {}) == {"sv", "en"}, f"{where}: {option['id']}"
        if question["type"] == "truefalse":
            wrong = "false" if question["correct"] else "true"
            assert set(question.get(f"feedback_{wrong}") or {}) == {"sv", "en"}, where


# Glossary -------------------------------------------------------------------------------------------
def test_the_glossary_has_the_chains_terms_and_every_reference_in_it_resolves(brief):
    ids = GLOSSARY.ids
    for needed in (
        "trygghetslarm",
        "larmmottagning",
        "utlarmning",
        "kvittens",
        "provlarm",
        "tekniskt-larm",
        "nyckelgomma",
    ):
        assert needed in ids
    for term in GLOSSARY.terms:
        assert set(term.see_also) <= ids
        assert set(term.modules) <= set(MODULES)
        assert [r.source.url for r in term.sources if r.source.url not in brief] == []


def test_every_glossary_term_is_linked_from_some_module():
    linked = {
        target
        for module in MODULES.values()
        for section in module.sections
        for text in section.body.values()
        for target in GLOSSARY_LINK.findall(text)
    }
    assert sorted(GLOSSARY.ids - linked) == []


# Certifications -------------------------------------------------------------------------------------
EXPECTED_CERTIFICATIONS = {
    "trygghetslarm-for-hemtjanst": (
        {"trygghetslarm-grunder", "att-atgarda-ett-larm", "provlarm-och-tekniska-larm",
         "nyckelhantering-och-tilltrade", "sekretess-dokumentation-och-avvikelser"},
        {"01-natt-fall-med-talkontakt", "03-ingen-talkontakt"},
    ),
    "larmteam-installation-och-teknik": (
        {"trygghetslarm-grunder", "provlarm-och-tekniska-larm", "nyckelhantering-och-tilltrade",
         "installation-och-avslut", "sekretess-dokumentation-och-avvikelser"},
        {"10-installation-provlarm"},
    ),
    "bistandshandlaggare": (
        {"trygghetslarm-grunder", "sekretess-dokumentation-och-avvikelser", "bistandshandlaggarens-del"},
        set(),
    ),
    "chef-ledning-och-uppfoljning": (
        {"trygghetslarm-grunder", "sekretess-dokumentation-och-avvikelser", "ledning-och-uppfoljning"},
        {"09-massavbrott"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("slug", EXPECTED_CERTIFICATIONS)
def test_the_four_certifications_ask_for_their_modules_and_exercises(slug):
    definition = CERTIFICATIONS[slug]
    modules, exercises = EXPECTED_CERTIFICATIONS[slug]
    asked = {kind: {r.ref for r in definition.requirements if r.kind is kind} for kind in RequirementKind}
    assert asked[RequirementKind.MODULE] == modules
    assert asked[RequirementKind.EXERCISE] == exercises
    assert definition.renewal, "each has a refresher path"
    assert definition.positions
    assert set(definition.positions) <= POSITIONS
    assert set(definition.unit_kinds) <= UNIT_KINDS
    assert set(CERTIFICATIONS) == set(EXPECTED_CERTIFICATIONS)


def test_home_care_holds_for_24_months_with_a_60_day_window():
    definition = CERTIFICATIONS["trygghetslarm-for-hemtjanst"]
    assert (definition.validity_months, definition.window_days) == (24, 60)


def test_every_exercise_a_certification_asks_for_can_be_played_by_someone_it_is_for():
    from portal.alarmchain import actors_for

    for definition in CERTIFICATIONS.values():
        for requirement in definition.requirements:
            if requirement.kind is RequirementKind.EXERCISE:
                scenario = SCENARIOS[requirement.ref]
                playable = [
                    role for role, actor in ROLES.items()
                    if any(actor in actors_for(step.kind, step.action) for step in scenario.expected)
                ]  # fmt: skip
                assert playable, f"{definition.slug}: {requirement.ref} has no role to play"


# Scenarios ------------------------------------------------------------------------------------------
def test_the_ten_scenarios_are_told_in_swedish_and_english():
    assert len(SCENARIOS) == 10
    for scenario in SCENARIOS.values():
        texts = [scenario.title, scenario.summary, scenario.story, *scenario.learning_points]
        texts += [step.why for step in scenario.expected] + [item.why for item in scenario.forbidden]
        for text in texts:
            assert text is not None, scenario.slug
            assert text.sv.strip(), scenario.slug
            assert text.en.strip(), scenario.slug
            assert text.sv != text.en, f"{scenario.slug}: '{text.sv}' is not translated"
        assert scenario.person, f"{scenario.slug} names its person"


# The film -------------------------------------------------------------------------------------------
FILM = CONTENT / "modules" / "trygghetslarm-grunder" / "media"
FILM_SCRIPT = ROOT / "scripts" / "film" / "film.yaml"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_films_captions_carry_the_whole_narration_in_both_languages(language):
    script = yaml.safe_load(FILM_SCRIPT.read_text("utf-8"))
    narration = [sentence[language] for slide in script["slides"] for sentence in slide["narration"]]
    cues = vtt_cues((FILM / f"trygghetskedjan.{language}.vtt").read_text("utf-8"))
    assert [word for cue in cues for word in words(cue[2])] == [word for s in narration for word in words(s)]
    duration = mp4_duration(FILM / "trygghetskedjan.mp4")
    assert all(0 <= start < end <= duration for start, end, _ in cues)
    assert duration - cues[-1][1] < 5, "the captions run to the end of the spoken film"


def test_the_two_caption_tracks_share_their_timing():
    timing = {
        language: [
            (start, end)
            for start, end, _ in vtt_cues((FILM / f"trygghetskedjan.{language}.vtt").read_text("utf-8"))
        ]
        for language in ("sv", "en")
    }
    assert timing["sv"] == timing["en"]


PORTAL_GUIDE = CONTENT / "modules" / "ledning-och-uppfoljning" / "05-kompetens-i-portalen"


def interface_texts(language: str) -> set[str]:
    """Every text of the portal's interface in `language`, lower-cased (the catalogue's msgids are
    the English texts, its translations the Swedish)."""
    from babel.messages.pofile import read_po

    with (ROOT / "portal" / "translations" / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file)
    texts = set()
    for message in catalogue:
        side = message.id if language == "en" else message.string
        texts.update(text.lower() for text in (side if isinstance(side, tuple) else (side,)) if text)
    return texts


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_managers_guide_names_pages_and_buttons_the_portal_has(language):
    """Module 8 walks managers through the portal's own pages: a renamed button would leave it stale."""
    path = PORTAL_GUIDE.with_suffix(".md" if language == "sv" else ".en.md")
    body = path.read_text(encoding="utf-8").split("---", 2)[2]
    body = "\n".join(line for line in body.splitlines() if not line.startswith("!!!"))
    named = re.findall(r"\*\*(.+?)\*\*", body) + re.findall(r'"([^"]+)"', body)
    assert len(named) >= 20
    texts = interface_texts(language)
    unknown = [name for name in named if not any(name.lower() in text for text in texts)]
    assert not unknown, f"{path.name} names what the interface does not say: {unknown}"
