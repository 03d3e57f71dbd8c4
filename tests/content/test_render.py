"""Rendering: useful Markdown in, and never a script vector out."""

import re
from html.parser import HTMLParser

import brs_kb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.content.render import render_markdown, sanitise


def render(text: str) -> str:
    return render_markdown(
        text, lambda slug: f"/learning/modules/{slug}", lambda name: f"/learning/media/m/{name}"
    )[0]


def test_headings_start_at_h2_with_anchors_and_toc():
    html, toc = render_markdown("# Första\n\n### Andra del\n", lambda s: s, lambda n: n)
    assert '<h2 id="forsta">Första</h2>' in html
    assert '<h3 id="andra-del">Andra del</h3>' in html
    assert toc[0]["id"] == "forsta"
    assert toc[0]["children"][0]["name"] == "Andra del"


def test_admonitions_tables_tasks_and_module_links():
    html = render(
        '!!! viktigt "Viktigt"\n    Åk alltid.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] punkt\n- [x] klar\n\n'
        "[Nycklar](modul:nyckelhantering#tva-nycklar) ![Knapp](media/knapp.png)\n"
    )
    assert '<div class="admonition viktigt">' in html
    assert '<th scope="col">a</th>' in html
    assert '<li class="task-list-item"> punkt</li>' in html
    assert '<li class="task-list-item task-done"> klar</li>' in html
    assert 'href="/learning/modules/nyckelhantering#tva-nycklar"' in html
    assert 'src="/learning/media/m/knapp.png"' in html


FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "form",
    "input",
    "base",
    "meta",
    "link",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background"}


class _Vectors(HTMLParser):
    """What a browser would execute: forbidden elements, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value is not None:
                # As browsers read it (WHATWG URL): trim C0 controls and spaces, drop tabs and newlines.
                scheme = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21))))).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.found.append(f"{tag}[{name}={value}]")


def script_vectors(html: str) -> list[str]:
    parser = _Vectors()
    parser.feed(html)
    parser.close()
    return parser.found


PAYLOADS = sorted({entry["payload"] for entry in brs_kb.get_all_payloads().values()})


def test_the_corpus_is_large():
    assert len(PAYLOADS) > 4000


@pytest.mark.parametrize("chunk", range(10))
def test_no_xss_payload_survives_the_pipeline(chunk):
    """Every payload of the corpus, alone, inside a link, an image and a table cell."""
    for payload in PAYLOADS[chunk::10]:
        for text in (
            payload,
            f"[klick]({payload})",
            f"![bild]({payload})",
            f"| a |\n|---|\n| {payload} |",
            f"<div>{payload}</div>",
        ):
            html = render(text)
            assert not script_vectors(html), (payload, html)


@given(st.text(max_size=400))
def test_arbitrary_text_never_yields_a_script_vector(text):
    assert not script_vectors(render(text))


def test_the_checker_itself_finds_vectors():
    html = '<a href=" JaVa\tScript:alert(1)">x</a><img src=x onerror=alert(1)><script></script>'
    assert script_vectors(html) == ["a[href= JaVa\tScript:alert(1)]", "img[onerror]", "<script>"]


def test_sanitise_is_idempotent_on_its_output():
    html = render("**fet** [länk](https://example.com) <b onmouseover=x>hej</b>")
    assert sanitise(html) == html
