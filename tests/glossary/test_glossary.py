"""The glossary: content/ordlista.yaml checked by its loader, shown on the public /ordlista page, and
linked from module text as ordlista:<id> (a link to an unknown term stops the content sync)."""

import re
from pathlib import Path

import pytest
import yaml
from flask import url_for

from portal.config import Config
from portal.content.errors import ContentError
from portal.content.glossary import GlossaryError, by_initial, glossary_from_mapping, load_glossary
from portal.content.loader import load_modules
from portal.content.render import GLOSSARY_URL, render_markdown
from portal.extensions import db
from tests.conftest import sign_in

GLOSSARY_FILE = Path(Config.CONTENT_DIR) / "ordlista.yaml"
TERM_ANCHOR = re.compile(r'<dt id="([^"]+)">')


def term(term_id: str, sv: str, en: str | None = None, **extra) -> dict:
    return {"id": term_id, "term": {"sv": sv, "en": en or f"{sv} (en)"},
            "definition": {"sv": f"Om {sv}.", "en": f"About {sv}."}, **extra}  # fmt: skip


def glossary(*terms: dict):
    return glossary_from_mapping({"terms": list(terms)}, "ordlista.yaml")


# The loader -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"terms": []}, "terms: must list at least one term"),
        ({"terms": [term("a", "A")], "extra": 1}, "extra: unknown field"),
        ({"terms": [{**term("a", "A"), "colour": "red"}]}, r"terms\[0\]\.colour: unknown field"),
        ({"terms": [term("a", "A"), term("a", "B")]}, "the id 'a' is used twice"),
        ({"terms": [term("A b", "A")]}, r"terms\[0\]\.id: 'A b' must be lower-case"),
        (
            {"terms": [{**term("a", "A"), "definition": {"sv": "x"}}]},
            r"terms\[0\]\.definition\.en: is required",
        ),
        ({"terms": [term("a", "A", see_also=["b"])]}, r"terms\[0\]\.see_also: no term 'b'"),
        ({"terms": [term("a", "A", see_also=["a"])]}, "names the term itself"),
        (
            {"terms": [term("a", "A", sources=[{"title": "T", "url": "javascript:alert(1)"}])]},
            r"terms\[0\]\.sources\[0\]\.url: .* must be an http\(s\) address",
        ),
    ],
)
def test_a_broken_glossary_names_the_field(data, message):
    with pytest.raises(GlossaryError, match=message) as caught:
        glossary_from_mapping(data, "ordlista.yaml")
    assert str(caught.value).startswith("ordlista.yaml: ")


def test_invalid_yaml_names_its_line(tmp_path):
    path = tmp_path / "ordlista.yaml"
    path.write_text("terms:\n  - id: a\n    term: {sv: [\n", "utf-8")
    with pytest.raises(GlossaryError, match=r"line \d+: invalid YAML"):
        load_glossary(path)


def test_the_terms_are_in_swedish_alphabetical_order_with_numbers_first():
    terms = glossary(term("o", "Öppen"), term("a", "Avvikelse"), term("aa", "Åtgärd"), term("z", "Zon"),
                     term("n", "112", "112"), term("ae", "Ärende"), term("b", "bistånd")).terms  # fmt: skip
    groups = by_initial(terms, "sv")
    assert [letter for letter, _ in groups] == ["0–9", "A", "B", "Z", "Å", "Ä", "Ö"]
    assert [t.id for _, group in groups for t in group] == ["n", "a", "b", "z", "aa", "ae", "o"]


def test_english_readers_get_the_english_headwords_in_order():
    terms = glossary(term("p", "Provlarm", "Test alarm"), term("n", "Nyckelgömma", "Key box")).terms
    assert [(letter, [t.id for t in group]) for letter, group in by_initial(terms, "en")] == [
        ("K", ["n"]),
        ("T", ["p"]),
    ]


# Links from module text -----------------------------------------------------------------------------
def test_a_glossary_link_points_at_the_term_on_the_glossary_page(app):
    html, _toc = render_markdown("Gör ett [provlarm](ordlista:provlarm).", lambda s: s, lambda s: s)
    assert f'<a href="{GLOSSARY_URL}#provlarm" rel="noopener noreferrer">provlarm</a>' in html
    with app.test_request_context():
        assert url_for("glossary.index") == GLOSSARY_URL


def write_content(root: Path, link: str, terms: list[dict] | None = None) -> Path:
    module = root / "modules" / "nycklar"
    module.mkdir(parents=True)
    (module / "module.md").write_text(
        '---\ntitle: {sv: Nycklar, en: Keys}\nsummary: {sv: Om nycklar, en: About keys}\nminutes: 5\nversion: "1.0"\n---\nText.\n',
        "utf-8",
    )
    (module / "01-nyckeln.md").write_text(
        f"---\ntitle: {{sv: Nyckeln, en: The key}}\n---\nFörsta raden.\n\nLägg den i [gömman]({link}).\n",
        "utf-8",
    )
    if terms is not None:
        (root / "ordlista.yaml").write_text(yaml.safe_dump({"terms": terms}, allow_unicode=True), "utf-8")
    return root / "modules"


def test_a_link_to_a_known_term_loads(tmp_path):
    (module,) = load_modules(
        write_content(tmp_path, "ordlista:nyckelgomma", [term("nyckelgomma", "Nyckelgömma")])
    )
    assert "ordlista:nyckelgomma" in module.sections[0].body["sv"]


@pytest.mark.parametrize("terms", [[term("provlarm", "Provlarm")], None], ids=["unknown-term", "no-glossary"])
def test_a_link_to_an_unknown_term_names_the_file_and_line(tmp_path, terms):
    with pytest.raises(ContentError) as caught:
        load_modules(write_content(tmp_path, "ordlista:nyckelgoma", terms))
    (problem,) = caught.value.problems
    assert problem.path.name == "01-nyckeln.md"
    assert problem.line == 6
    assert "unknown glossary term 'nyckelgoma'" in problem.message


def test_a_broken_glossary_or_a_term_naming_an_unknown_module_stops_the_load(tmp_path):
    root = write_content(tmp_path, "ordlista:a", [term("a", "A", modules=["finns-inte"])])
    with pytest.raises(ContentError, match="the term 'a' names unknown module 'finns-inte'"):
        load_modules(root)
    (tmp_path / "ordlista.yaml").write_text("terms: 3\n", "utf-8")
    with pytest.raises(ContentError, match=r"ordlista\.yaml: terms: must be a list"):
        load_modules(root)


# The page -------------------------------------------------------------------------------------------
def test_the_page_is_public_and_lists_every_term_with_an_anchor(client):
    page = client.get("/ordlista")
    assert page.status_code == 200
    anchors = TERM_ANCHOR.findall(page.text)
    assert set(anchors) == {t.id for t in load_glossary(GLOSSARY_FILE).terms}
    for target in re.findall(r'href="#([^"]+)"', page.text):
        assert f'id="{target}"' in page.text, f"a see-also link to #{target} goes nowhere"


def test_signed_in_readers_get_the_page_in_their_language(client, org, make_user):
    reader = make_user(org)
    reader.language = "en"
    db.session.commit()
    sign_in(client, reader)
    page = client.get("/ordlista").text
    assert "<h1>Glossary</h1>" in page
    assert 'id="provlarm">\n            Test alarm' in page
    assert '<span class="muted" lang="sv">(Provlarm)</span>' in page


def test_a_term_links_to_the_modules_that_teach_it(client, app):
    taught = [(t.id, slug) for t in load_glossary(GLOSSARY_FILE).terms for slug in t.modules]
    assert taught, "the glossary names the modules where its terms are taught"
    page = client.get("/ordlista").text
    for _term_id, slug in taught:
        assert f'href="/learning/modules/{slug}"' in page


def test_a_local_module_may_link_to_the_national_glossary_and_nothing_else(app, tmp_path):
    from portal.authoring.module_publisher import national_glossary_ids
    from portal.content.loader import load_module

    with app.app_context():
        known = national_glossary_ids()
    assert "provlarm" in known
    folder = write_content(tmp_path, "ordlista:provlarm") / "nycklar"
    assert load_module(folder, frozenset(), known).slug == "nycklar"
    (folder / "01-nyckeln.md").write_text("---\ntitle: {sv: N, en: K}\n---\n[x](ordlista:hittepa)\n", "utf-8")
    with pytest.raises(ContentError, match="unknown glossary term 'hittepa'"):
        load_module(folder, frozenset(), known)
