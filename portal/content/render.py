"""Markdown to safe HTML: Python-Markdown, then always the nh3 allowlist. No other path exists."""

import re
import xml.etree.ElementTree as ET  # noqa: S405  (only builds elements inside Markdown's own tree)  # nosec B405 – builds elements in Markdown's tree; parses nothing
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ADMONITION_TYPES = {"viktigt", "tips", "varning"}
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "th": {"scope"},
}  # fmt: skip
ALLOWED_CLASSES = {
    "div": {"admonition", *ADMONITION_TYPES},
    "p": {"admonition-title"},
    "ul": {"task-list"},
    "li": {"task-list-item", "task-done"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MODULE_LINK_PREFIX = "modul:"
GLOSSARY_LINK_PREFIX = "ordlista:"
GLOSSARY_URL = "/ordlista"  # portal.glossary's page; kept in step with its route by a test
MEDIA_PREFIX = "media/"


class _PortalLinks(Treeprocessor):
    """Points module and glossary links and media at the portal's URLs; marks task-list items for CSS."""

    def __init__(self, md: markdown.Markdown, module_url: Any, media_url: Any) -> None:
        super().__init__(md)
        self.module_url = module_url
        self.media_url = media_url

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            href = element.get("href", "")
            if element.tag == "a" and href.startswith(MODULE_LINK_PREFIX):
                slug, _, anchor = href.removeprefix(MODULE_LINK_PREFIX).partition("#")
                element.set("href", self.module_url(slug) + (f"#{anchor}" if anchor else ""))
            if element.tag == "a" and href.startswith(GLOSSARY_LINK_PREFIX):
                element.set("href", f"{GLOSSARY_URL}#{href.removeprefix(GLOSSARY_LINK_PREFIX)}")
            if element.tag == "img" and element.get("src", "").startswith(MEDIA_PREFIX):
                element.set("src", self.media_url(element.get("src").removeprefix(MEDIA_PREFIX)))
            if element.tag == "th":
                element.set("scope", "col")
            if element.tag == "h1":  # the page's h1 is the section title
                element.tag = "h2"


class _PortalExtension(Extension):
    def __init__(self, module_url: Any, media_url: Any) -> None:
        super().__init__()
        self.module_url = module_url
        self.media_url = media_url

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802  (Markdown's API)
        md.treeprocessors.register(_PortalLinks(md, self.module_url, self.media_url), "portal_links", 1)


TASK = re.compile(r'<li class="task-list-item">\s*<input type="checkbox" disabled(?P<done> checked)?/?>')


def render_markdown(text: str, module_url: Any, media_url: Any) -> tuple[str, list[dict[str, Any]]]:
    """Safe HTML and its table of contents (h2/h3 with ids) for one language's Markdown."""
    md = markdown.Markdown(
        extensions=[
            "tables",
            "sane_lists",
            "admonition",
            "pymdownx.tasklist",
            "toc",
            _PortalExtension(module_url, media_url),
        ],
        extension_configs={"toc": {"toc_depth": "1-3", "slugify": _slugify}},
        output_format="html",
    )
    html = md.convert(text)
    html = TASK.sub(
        lambda m: '<li class="task-list-item task-done">' if m["done"] else '<li class="task-list-item">',
        html,
    )
    return sanitise(html), _toc(md.toc_tokens)


def sanitise(html: str) -> str:
    """The allowlist every rendered fragment passes through: no script, handlers or foreign schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _slugify(value: str, separator: str) -> str:
    folded = value.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", separator, folded).strip(separator) or "avsnitt"


def _toc(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": token["id"], "name": token["name"], "children": _toc(token.get("children", []))}
        for token in tokens
    ]
