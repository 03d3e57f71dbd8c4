"""Writing small content folders for tests."""

import struct
from pathlib import Path

MINIMAL_MP4 = (
    struct.pack(">I", 24)
    + b"ftypisom"
    + b"\x00\x00\x02\x00"
    + b"isomiso2"
    + struct.pack(">I", 108)
    + b"moov"
    + struct.pack(">I", 100)
    + b"mvhd"
    + b"\x00\x00\x00\x00"
    + b"\x00" * 8
    + struct.pack(">II", 1000, 120_000)
    + b"\x00" * 72
)  # fmt: skip  (a 120-second movie header, enough for the loader's checks)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
VTT_SV = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nHej och välkommen.\n\n00:00:04.000 --> 00:00:09.000\nSå fungerar kedjan.\n"


def write_module(
    root: Path,
    slug: str = "grunder",
    version: str = "1.0",
    sections: dict[str, str] | None = None,
    module_meta: str = "",
    video: bool = False,
) -> Path:
    folder = root / slug
    (folder / "media").mkdir(parents=True, exist_ok=True)
    (folder / "module.md").write_text(
        "---\n"
        f"title: {{sv: Grunder {slug}, en: Basics {slug}}}\n"
        "summary: {sv: Om trygghetslarm., en: About social alarms.}\n"
        "audience: []\n"
        "minutes: 20\n"
        f'version: "{version}"\n'
        f"{module_meta}"
        "---\nEn introduktion.\n",
        encoding="utf-8",
    )
    for name, text in (sections or {"01-start.md": "---\ntitle: Start\n---\n## Rubrik\n\nText.\n"}).items():
        (folder / name).write_text(text, encoding="utf-8")
    if video:
        (folder / "media" / "film.mp4").write_bytes(MINIMAL_MP4)
        (folder / "media" / "film.sv.vtt").write_text(VTT_SV, encoding="utf-8")
        (folder / "02-film.md").write_text(
            "---\ntitle: {sv: Film, en: Film}\nkind: video\nvideo: media/film.mp4\n"
            "captions: {sv: media/film.sv.vtt}\n---\nTitta på filmen.\n",
            encoding="utf-8",
        )
    return folder


QUIZ_YAML = """\
title: {sv: Prov om larm, en: Alarm test}
mode: exam
pass_mark: 60
attempts_allowed: 3
time_limit_minutes: 10
grace_seconds: 30
fixed: [valj-en, ordning]
pools:
  - {tag: pool, count: 2}
questions:
  - id: valj-en
    type: single
    text: {sv: "Vem tar emot larmet först?", en: "Who receives the alarm first?"}
    options:
      - {id: central, text: Larmcentralen, feedback: Rätt – centralen svarar först.}
      - {id: chef, text: Chefen, feedback: Nej – chefen tar inte emot larm.}
    correct: central
    explanation: Larmcentralen svarar och larmar sedan ut personal.
  - id: ordning
    type: ordering
    text: Sätt stegen i ordning.
    items:
      - {id: larm, text: Brukaren larmar}
      - {id: svar, text: Centralen svarar}
      - {id: ut, text: Personal åker ut}
  - id: flera
    type: multiple
    tags: [pool]
    text: Vad gör personalen på plats?
    options:
      - {id: hjalpa, text: Hjälper brukaren}
      - {id: dokumentera, text: Dokumenterar}
      - {id: diagnos, text: Ställer diagnos, feedback: Nej – det gör inte hemtjänsten.}
    correct: [hjalpa, dokumentera]
  - id: sant
    type: truefalse
    tags: [pool]
    text: Ett provlarm görs en gång i månaden.
    correct: true
    feedback_false: Jo, en gång i månaden.
  - id: para
    type: matching
    tags: [pool]
    text: Para ihop rollen med uppgiften.
    premises:
      - {id: central, text: Larmcentral, match: svara}
      - {id: hemtjanst, text: Hemtjänst, match: aka}
    choices:
      - {id: svara, text: Svarar på larmet}
      - {id: aka, text: Åker hem till brukaren}
      - {id: besluta, text: Fattar beslut}
  - id: minuter
    type: numeric
    tags: [pool]
    text: Inom hur många minuter ska personalen vara på plats i tätort?
    answer: 30
    tolerance: 5
    unit: minuter
"""

# Right answers to every question of QUIZ_YAML, as the question page posts them.
QUIZ_RIGHT_ANSWERS = {
    "valj-en": {"answer": "central"},
    "ordning": {"position-larm": "1", "position-svar": "2", "position-ut": "3"},
    "flera": {"answer": ["hjalpa", "dokumentera"]},
    "sant": {"answer": "true"},
    "para": {"match-central": "svara", "match-hemtjanst": "aka"},
    "minuter": {"answer": "30"},
}


def write_quiz_module(root: Path, slug: str = "prov", version: str = "1.0", quiz: str = QUIZ_YAML) -> Path:
    """A module with a text section and a quiz section backed by `quiz` (QUIZ_YAML by default)."""
    folder = write_module(
        root,
        slug=slug,
        version=version,
        sections={
            "01-start.md": "---\ntitle: Start\n---\nLäs detta först.\n",
            "02-prov.md": "---\ntitle: {sv: Kunskapsprov, en: Knowledge test}\nkind: quiz\n---\nProvet.\n",
        },
    )
    (folder / "quiz.yaml").write_text(quiz, encoding="utf-8")
    return folder
