"""The loader: files in, checked sources out; every bad-content case names its file and line."""

import pytest

from portal.content.errors import ContentError
from portal.content.loader import load_modules
from portal.models import SectionKind
from tests.content.builders import PNG, write_module


def problems(root) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_modules(root)
    return [str(problem) for problem in caught.value.problems]


def test_a_good_module_loads(tmp_path):
    write_module(tmp_path, video=True)
    (module,) = load_modules(tmp_path)
    assert module.slug == "grunder"
    assert (module.major, module.minor) == (1, 0)
    assert module.title == {"sv": "Grunder grunder", "en": "Basics grunder"}
    assert [s.kind for s in module.sections] == [SectionKind.TEXT, SectionKind.VIDEO]
    video = module.sections[1].media
    assert video["duration"] == 120.0
    assert video["transcript"]["sv"] == ["Hej och välkommen.", "Så fungerar kedjan."]


def test_english_variant_is_optional_and_picked_up(tmp_path):
    folder = write_module(tmp_path)
    (folder / "01-start.en.md").write_text("---\ntitle: Start here\n---\nEnglish text.\n", encoding="utf-8")
    (module,) = load_modules(tmp_path)
    assert module.sections[0].body["en"].strip() == "English text."
    assert module.sections[0].title["en"] == "Start here"


def test_malformed_front_matter_is_located(tmp_path):
    write_module(tmp_path, sections={"01-start.md": "---\ntitle: Start\nkind: [text\n---\nText\n"})
    message = next(m for m in problems(tmp_path) if "YAML" in m)
    assert "01-start.md:3" in message
    assert "not valid YAML" in message


def test_unknown_section_kind(tmp_path):
    write_module(tmp_path, sections={"01-start.md": "---\ntitle: Start\nkind: podcast\n---\nText\n"})
    message = next(m for m in problems(tmp_path) if "kind" in m)
    assert "unknown section kind 'podcast'" in message
    assert "text, video, checklist" in message


def test_unknown_front_matter_key_is_refused(tmp_path):
    write_module(tmp_path, sections={"01-start.md": "---\ntitel: Start\n---\nText\n"})
    found = problems(tmp_path)
    assert any("unknown front-matter key 'titel'" in m for m in found)


def test_duplicate_slugs(tmp_path):
    write_module(tmp_path, slug="a-modul", module_meta="slug: samma\n")
    write_module(tmp_path, slug="b-modul", module_meta="slug: samma\n")
    assert any("duplicate slug 'samma'" in m for m in problems(tmp_path))


def test_video_without_swedish_captions(tmp_path):
    folder = write_module(tmp_path, video=True)
    text = (folder / "02-film.md").read_text().replace("captions: {sv: media/film.sv.vtt}\n", "")
    (folder / "02-film.md").write_text(text)
    assert any("needs Swedish captions" in m for m in problems(tmp_path))


def test_captions_that_are_not_webvtt(tmp_path):
    folder = write_module(tmp_path, video=True)
    (folder / "media" / "film.sv.vtt").write_text("1\n00:00:01,000 --> 00:00:02,000\nSRT, not VTT\n")
    assert any("not WebVTT" in m for m in problems(tmp_path))


def test_a_video_that_is_not_a_video(tmp_path):
    folder = write_module(tmp_path, video=True)
    (folder / "media" / "film.mp4").write_bytes(b"<html>not a film</html>")
    assert any("is not an MP4 or WebM video" in m for m in problems(tmp_path))


def test_image_without_alt_text_is_located(tmp_path):
    folder = write_module(
        tmp_path, sections={"01-start.md": "---\ntitle: Start\n---\nRad ett\n\n![](media/bild.png)\n"}
    )
    (folder / "media" / "bild.png").write_bytes(PNG)
    (message,) = problems(tmp_path)
    assert "01-start.md:6" in message
    assert "no alt text" in message


def test_image_must_be_a_local_image(tmp_path):
    folder = write_module(
        tmp_path,
        sections={
            "01-start.md": "---\ntitle: Start\n---\n![Bild](media/saknas.png)\n\n![Extern](https://example.com/x.png)\n"
        },
    )
    assert (folder / "media").is_dir()
    found = problems(tmp_path)
    assert any("saknas.png is missing or not an image" in m for m in found)
    assert any("is not in the module" in m for m in found)


def test_link_to_unknown_module(tmp_path):
    write_module(
        tmp_path, sections={"01-start.md": "---\ntitle: Start\n---\nSe [annan](modul:finns-inte).\n"}
    )
    (message,) = problems(tmp_path)
    assert "link to unknown module 'finns-inte'" in message


def test_bad_version_minutes_and_audience(tmp_path):
    write_module(tmp_path, version="ett", module_meta="")
    folder = tmp_path / "grunder"
    text = (
        (folder / "module.md")
        .read_text()
        .replace("minutes: 20", "minutes: -3")
        .replace("audience: []", "audience: [astronaut]")
    )
    (folder / "module.md").write_text(text)
    found = problems(tmp_path)
    assert any("version 'ett' is not major.minor" in m for m in found)
    assert any("minutes must be a positive" in m for m in found)
    assert any("unknown positions ['astronaut']" in m for m in found)


def test_badly_named_section_file(tmp_path):
    write_module(tmp_path, sections={"intro.md": "---\ntitle: Intro\n---\nText\n"})
    assert any("is not named like a section" in m for m in problems(tmp_path))


def test_the_repository_content_loads():
    from portal.config import ROOT

    modules = load_modules(ROOT / "content" / "modules")
    assert modules, "content/modules holds the national modules"
    assert all(module.sections for module in modules)


def test_a_malformed_quiz_is_located_and_fails_the_sync(tmp_path):
    folder = write_module(
        tmp_path,
        sections={
            "01-start.md": "---\ntitle: Start\n---\nText.\n",
            "02-test.md": "---\ntitle: Test\nkind: quiz\n---\nSvara på frågorna.\n",
        },
    )
    (folder / "quiz.yaml").write_text(
        "title: Test\npass_mark: 180\nquestions:\n  - id: q1\n    type: telepathy\n", encoding="utf-8"
    )
    found = [m for m in problems(tmp_path) if "quiz.yaml" in m]
    assert found, "the quiz's own problems are reported by content sync"
    assert all("quiz.yaml:" in m for m in found), "each with its line"


def test_a_quiz_section_needs_a_quiz_file(tmp_path):
    write_module(tmp_path, sections={"01-test.md": "---\ntitle: Test\nkind: quiz\n---\nText.\n"})
    assert any("has a quiz section but no quiz.yaml" in m for m in problems(tmp_path))


def test_a_valid_quiz_loads_with_its_module(tmp_path):
    from tests.assessment.conftest import FIXTURE

    folder = write_module(tmp_path, sections={"01-test.md": "---\ntitle: Test\nkind: quiz\n---\nText.\n"})
    (folder / "quiz.yaml").write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    (module,) = load_modules(tmp_path)
    assert module.sections[0].kind is SectionKind.QUIZ
