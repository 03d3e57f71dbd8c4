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
