"""GET /trygghetskedjan: the public swim-lane overview, its role views and its content file."""

import os
import re
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from portal.config import Config
from portal.simulator.chain import ChainError, chain_from_mapping, load_chain

CHAIN_FILE = Path(Config.CHAIN_FILE)

URL = "/trygghetskedjan"
STEP_ITEM = re.compile(r'<li id="steg-([a-z0-9-]+)" class="kedja-step( is-lead| is-involved)?">')
CURRENT_VIEW = re.compile(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>')


def text(sv: str, en: str | None = None) -> dict[str, str]:
    return {"sv": sv, "en": en or f"{sv} (en)"}


def small_chain() -> dict:
    """Three lanes, four steps, one view: the smallest chain that shows every kind of mark."""
    return {
        "title": text("Kedjan"),
        "intro": text("Inledning"),
        "note": text("Obs"),
        "lanes": [
            {"id": "brukare", "name": text("Brukaren"), "summary": text("Larmar")},
            {"id": "operator", "name": text("Operatören"), "summary": text("Svarar")},
            {"id": "hemtjanst", "name": text("Hemtjänsten"), "summary": text("Åker")},
        ],
        "steps": [
            {"id": "larm", "lane": "brukare", "title": text("Larmet"), "what": text("Trycker"),
             "who": text("Brukaren"), "sources": ["https://example.com/larm"]},
            {"id": "svar", "lane": "operator", "also": ["hemtjanst"], "title": text("Svaret"),
             "what": text("Svarar"), "who": text("Operatören"), "sources": ["https://example.com/svar"],
             "targets": [{"text": text("Inom 60 sekunder"), "source": "https://www.example.org/mal"}]},
            {"id": "besok", "lane": "hemtjanst", "title": text("Besöket"), "what": text("Hjälper"),
             "who": text("Hemtjänsten"), "sources": ["https://example.com/besok"],
             "lessons": [{"text": text("Ingen nyckel"), "source": "https://news.example.net/fall"}]},
            {"id": "avslut", "lane": "operator", "title": text("Avslutet"), "what": text("Stänger"),
             "who": text("Operatören"), "sources": ["https://example.com/avslut"]},
        ],
        "views": [
            {"id": "hemtjanst", "lane": "hemtjanst", "name": text("Hemtjänst", "Home care"),
             "your_part": text("Du åker alltid.", "You always go.")},
        ],
    }  # fmt: skip


def write_chain(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


@pytest.fixture
def small(app, tmp_path):
    app.config["CHAIN_FILE"] = str(write_chain(tmp_path / "kedjan.yaml", small_chain()))
    return load_chain(tmp_path / "kedjan.yaml")


def in_english(client) -> None:
    """The page's own words are checked in English, the messages' own text: they hold whatever the
    Swedish catalogue says."""
    assert client.post("/language", data={"language": "en"}).status_code == 302


def marks(html: str) -> dict[str, str]:
    """Each step's mark in the step-by-step list: "lead", "involved" or ""."""
    return {step_id: mark.strip().removeprefix("is-") for step_id, mark in STEP_ITEM.findall(html)}


# The page, with the real content


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_page_is_public_and_shows_every_lane_and_step_in_order(client, language):
    chain = load_chain(CHAIN_FILE)
    if language == "en":
        in_english(client)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{language}">' in html
    assert f"<h1>{escape(getattr(chain.title, language))}</h1>" in html
    for lane in chain.lanes:
        assert f'<strong class="kedja-lane-name">{escape(getattr(lane.name, language))}</strong>' in html
        assert str(escape(getattr(lane.summary, language))) in html
    assert list(marks(html)) == [step.id for step in chain.steps]  # every step, in the chain's order
    for step in chain.steps:
        for field in (step.title, step.what, step.who):
            assert str(escape(getattr(field, language))) in html, step.id
        for item in step.targets + step.lessons:
            assert str(escape(getattr(item.text, language))) in html, step.id
            assert f'href="{escape(item.source.url)}"' in html
        for source in step.sources:
            assert f'href="{escape(source.url)}"' in html
    other = "en" if language == "sv" else "sv"
    assert str(escape(getattr(chain.steps[0].what, other))) not in html


def test_the_steps_sit_in_their_lanes_and_name_their_role_in_words(client):
    chain = load_chain(CHAIN_FILE)
    html = client.get(URL).text
    for step in chain.steps:
        cell = re.search(
            rf'<div class="kedja-cell lane-(\d)">\s*<a href="#steg-{step.id}">.*?</div>', html, re.S
        )
        assert cell, step.id
        assert int(cell.group(1)) == step.lane.column
        assert f'<span class="kedja-role">{escape(step.lane.name.sv)}' in cell.group(0)


def test_the_whole_chain_marks_no_step_and_is_the_current_view(client):
    in_english(client)
    html = client.get(URL).text
    assert set(marks(html).values()) == {""}
    assert "Your part" not in html and "kedja-your-part" not in html  # noqa: PT018
    assert CURRENT_VIEW.findall(html) == [(URL, "The alarm chain"), (URL, "The whole chain")]


@pytest.mark.parametrize("view_id", ["hemtjanst", "bistandshandlaggare", "larmgruppen"])
def test_the_three_role_views_of_the_slides(client, view_id):
    chain = load_chain(CHAIN_FILE)
    view = chain.view(view_id)
    assert view is not None
    html = client.get(URL, query_string={"vy": view_id}).text
    assert (f"{URL}?vy={view_id}", str(escape(view.name.sv))) in CURRENT_VIEW.findall(html)
    assert str(escape(view.your_part.sv)) in html
    lead = {step.id for step in chain.steps if step.lane == view.lane}
    assert lead, "a role view without steps of its own"
    assert {step_id for step_id, mark in marks(html).items() if mark == "lead"} == lead


def test_the_content_has_the_six_roles_and_the_three_views():
    chain = load_chain(CHAIN_FILE)
    assert [lane.id for lane in chain.lanes] == [
        "brukare", "bistand", "larmteam", "larmmottagning", "hemtjanst", "verksamhetschef",
    ]  # fmt: skip
    assert [view.id for view in chain.views] == ["hemtjanst", "bistandshandlaggare", "larmgruppen"]
    assert {step.lane for step in chain.steps} == set(chain.lanes), "a lane without a step"
    assert chain.steps[0].id == "ansokan" and chain.steps[-1].id == "avslut"  # noqa: PT018


def test_the_site_menu_links_to_the_chain_for_visitors_and_signed_in_users(client, login, org, make_user):
    in_english(client)
    assert f'<a href="{URL}">The alarm chain</a>' in client.get("/login").text
    login(make_user(org))
    in_english(client)
    assert f'<a href="{URL}">The alarm chain</a>' in client.get("/").text
    assert f'<a href="{URL}" aria-current="page">The alarm chain</a>' in client.get(URL).text


# Role views, on a small chain of our own


def test_a_role_view_marks_its_lane_and_steps_and_shows_its_text(client, small):
    html = client.get(URL, query_string={"vy": "hemtjanst"}).text
    assert "Du åker alltid." in html
    assert (f"{URL}?vy=hemtjanst", "Hemtjänst") in CURRENT_VIEW.findall(html)
    in_english(client)
    html = client.get(URL, query_string={"vy": "hemtjanst"}).text
    assert marks(html) == {"larm": "", "svar": "involved", "besok": "lead", "avslut": ""}
    assert re.search(r'<li class="kedja-lane-head lane-3 is-mine">\s*<strong class="kedja-lane-name">'
                     r"Hemtjänsten \(en\)</strong>\s*<span[^>]*><span aria-hidden=\"true\">★</span> Your lane", html)  # fmt: skip
    assert html.count('class="kedja-lane-head') == 3 and html.count(" is-mine") == 1  # noqa: PT018
    assert '<div class="kedja-cell lane-3 is-lead">' in html
    assert '<div class="kedja-cell lane-2 is-involved">' in html
    assert "You always go." in html and "Du åker alltid." not in html  # noqa: PT018
    assert "Your part: Home care" in html
    assert CURRENT_VIEW.findall(html) == [(URL, "The alarm chain"), (f"{URL}?vy=hemtjanst", "Home care")]


def test_the_marks_are_words_not_only_colour(client, small):
    in_english(client)
    html = client.get(URL, query_string={"vy": "hemtjanst"}).text
    besok = html[html.index('<li id="steg-besok"') :]
    assert "Your part</span>" in besok[: besok.index("</li>")]
    svar = html[html.index('<li id="steg-svar"') :]
    assert "You take part</span>" in svar[: svar.index("</li>")]


@pytest.mark.parametrize("value", ["okand", "HEMTJANST", "", "<script>"])
def test_an_unknown_view_shows_the_whole_chain(client, small, value):
    in_english(client)
    response = client.get(URL, query_string={"vy": value})
    assert response.status_code == 200
    assert set(marks(response.text).values()) == {""}
    assert "You always go." not in response.text
    assert (URL, "The whole chain") in CURRENT_VIEW.findall(response.text)
    assert "<script>" not in response.text.split("<main", 1)[1]


def test_the_sources_are_linked_by_their_site_name(client, small):
    in_english(client)
    html = client.get(URL).text
    assert '<a href="https://www.example.org/mal">Source: example.org</a>' in html
    assert '<a href="https://news.example.net/fall">Source: news.example.net</a>' in html
    assert "Time targets in practice" in html and "What has gone wrong in real cases" in html  # noqa: PT018


def test_an_edited_file_is_read_again(client, small, app):
    path = Path(app.config["CHAIN_FILE"])
    data = small_chain()
    data["title"] = text("Ny rubrik")
    write_chain(path, data)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert "<h1>Ny rubrik</h1>" in client.get(URL).text


# The loader's errors name the file and the field


def broken(change) -> dict:
    data = small_chain()
    change(data)
    return data


BROKEN = [
    ("missing en", broken(lambda d: d["steps"][1]["title"].pop("en")), "steps[1].title.en", "is required"),
    ("missing sv", broken(lambda d: d["lanes"][0]["name"].pop("sv")), "lanes[0].name.sv", "is required"),
    ("empty text", broken(lambda d: d["views"][0]["your_part"].update(sv=" ")), "views[0].your_part.sv",
     "must not be empty"),
    ("unknown lane", broken(lambda d: d["steps"][2].update(lane="nattpatrull")), "steps[2].lane",
     "no lane 'nattpatrull'; the lanes are brukare, operator, hemtjanst"),
    ("unknown also lane", broken(lambda d: d["steps"][0].update(also=["chef"])), "steps[0].also[0]",
     "no lane 'chef'"),
    ("unknown view lane", broken(lambda d: d["views"][0].update(lane="chef")), "views[0].lane", "no lane 'chef'"),
    ("text not a mapping", broken(lambda d: d["steps"][0].update(what="bara svenska")), "steps[0].what",
     "must be a mapping, got str"),
    ("number for a text", broken(lambda d: d["steps"][0]["who"].update(en=5)), "steps[0].who.en",
     "must be a string, got int"),
    ("lanes not a list", broken(lambda d: d.update(lanes={"id": "brukare"})), "lanes", "must be a list, got dict"),
    ("unknown field", broken(lambda d: d["steps"][3].update(titel=text("x"))), "steps[3].titel", "unknown field"),
    ("no sources", broken(lambda d: d["steps"][3].update(sources=[])), "steps[3].sources",
     "must name at least one source"),
    ("bad source", broken(lambda d: d["steps"][1]["targets"][0].update(source="www.example.org")),
     "steps[1].targets[0].source", "must be an http(s) address"),
    ("duplicate step", broken(lambda d: d["steps"][3].update(id="larm")), "steps", "the id 'larm' is used twice"),
    ("bad id", broken(lambda d: d["views"][0].update(id="Hemtjänst")), "views[0].id", "lower-case letters"),
    ("own lane in also", broken(lambda d: d["steps"][1].update(also=["operator"])), "steps[1].also",
     "repeats the step's own lane"),
    ("missing title", broken(lambda d: d.pop("title")), "title", "is required"),
    ("not a mapping", ["a", "list"], "(top)", "must be a mapping, got list"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "where", "problem"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_malformed_content_is_named_by_file_and_field(tmp_path, data, where, problem):
    path = write_chain(tmp_path / "trasig.yaml", data)
    with pytest.raises(ChainError) as caught:
        load_chain(path)
    assert caught.value.source == str(path)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}: {where}: ")


def test_a_yaml_no_is_a_bad_type_named_by_field(tmp_path):
    source = yaml.safe_dump(small_chain(), allow_unicode=True).replace("en: Larmet (en)", "en: No")
    path = write_chain(tmp_path / "kedjan.yaml", source)
    with pytest.raises(ChainError, match=r"kedjan\.yaml: steps\[0\]\.title\.en: must be a string, got bool"):
        load_chain(path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = write_chain(tmp_path / "kedjan.yaml", "title:\n  sv: Kedjan\n  en: [oavslutad\nintro: x\n")
    with pytest.raises(ChainError, match=r"kedjan\.yaml: line \d+: invalid YAML"):
        load_chain(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ChainError, match=r"saknas\.yaml: \(file\): "):
        load_chain(tmp_path / "saknas.yaml")


def test_a_valid_mapping_becomes_the_chain():
    chain = chain_from_mapping(small_chain(), "test")
    assert [step.number for step in chain.steps] == [1, 2, 3, 4]
    svar = chain.steps[1]
    assert svar.lane.id == "operator" and svar.lane.column == 2  # noqa: PT018
    assert svar.part_of(chain.lanes[2]) == "involved"
    assert svar.part_of(chain.lanes[1]) == "lead"
    assert svar.part_of(chain.lanes[0]) is None
    assert svar.targets[0].source.host == "example.org"
    assert chain.view("hemtjanst").lane.id == "hemtjanst"
    assert chain.view("okand") is None and chain.view(None) is None  # noqa: PT018
