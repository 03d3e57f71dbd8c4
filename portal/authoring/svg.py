"""Whether an uploaded SVG image can be shown safely: well-formed, without a DTD, and with no script,
no event handlers and nothing fetched from outside the file."""

import re
import xml.etree.ElementTree as ET  # nosec B405 – TreeBuilder and ParseError only: parsing goes through DefusedXMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
XHTML_NAMESPACE = "{http://www.w3.org/1999/xhtml}"
FORBIDDEN_ELEMENTS = {"script", "foreignobject", "handler"}
ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion"}
SAFE_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)

HAS_SCRIPT = _l("The image is an SVG with script or event handlers, which cannot be shown safely.")
LINKS_OUT = _l(
    "The SVG image refers to something outside itself (a link, a stylesheet or an external image), "
    "which cannot be shown safely. Embed images in the file and remove links."
)


def problem(data: bytes) -> LazyString | None:
    """Why the SVG cannot be shown safely, or None when it can."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        return _l(
            "The SVG image has a DOCTYPE or entities, which are not allowed. Remove the <!DOCTYPE …> part."
        )
    except (ET.ParseError, LookupError, ValueError):  # ValueError, LookupError: an encoding expat cannot read
        return _l("The SVG image is not well-formed XML.")
    if root.tag != SVG_ROOT:
        return _l("The file is not an SVG image.")
    if builder.instructions:
        return LINKS_OUT
    return next(filter(None, map(_element_problem, root.iter())), None)


class _Builder(ET.TreeBuilder):
    """Also notes processing instructions: an <?xml-stylesheet?> could pull in a script."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> ET.Element:
        self.instructions.append(target)
        return super().pi(target, text)


def _element_problem(element: ET.Element) -> LazyString | None:
    name = _local_name(element.tag)
    if name in FORBIDDEN_ELEMENTS or element.tag.startswith(XHTML_NAMESPACE):
        return HAS_SCRIPT
    if name in ANIMATIONS and _is_script_target(element.get("attributeName", "")):
        return HAS_SCRIPT
    if name == "style" and not _is_safe_css("".join(element.itertext())):
        return LINKS_OUT
    for attribute, value in element.attrib.items():
        attribute_name = _local_name(attribute).lower()
        if attribute_name.startswith("on"):
            return HAS_SCRIPT
        if attribute_name == "href" and not _is_inside_link(value):
            return LINKS_OUT
        # Attributes in other namespaces (Inkscape's, RDF) are metadata that browsers ignore.
        if "{" not in attribute and not _is_safe_css(value):
            return LINKS_OUT
    return None


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _is_inside_link(href: str) -> bool:
    """A link to a part of the same file ('#arrow') or an embedded raster image."""
    href = href.strip()
    return href.startswith("#") or SAFE_DATA_IMAGE.match(href) is not None


def _is_script_target(attribute: str) -> bool:
    """An animation that sets a link or an event handler (<set attributeName="href" to="javascript:…">)."""
    name = attribute.rpartition(":")[2].strip().lower()
    return name == "href" or name.startswith("on")


def _is_safe_css(text: str) -> bool:
    """No imports, no script URLs, no url() but to a part of the file ('url(#shadow)'), and no
    escapes, as they could spell any of these."""
    lowered = text.lower()
    if "\\" in text or "@import" in lowered or "javascript:" in lowered:
        return False
    return all(target.startswith("#") for target in CSS_URL.findall(text))
