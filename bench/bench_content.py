"""Content sync at scale: 100 modules x 10 sections loaded and synced into a fresh database.

Run by `make bench` (bench/run.py); prints a Markdown table. Floor (issue 3): under 5 seconds.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODULES, SECTIONS = 100, 10
FLOOR_SECONDS = 5.0
SECTION_TEXT = """---
title: {{sv: Avsnitt {n}, en: Section {n}}}
---
## Varför det spelar roll

Hemtjänsten åker alltid när larmet går, även när ingen svarar. Det här avsnittet är nummer {n}.

!!! viktigt "Viktigt"
    Kvittera larmet direkt och åk.

| Steg | Vem | När |
|---|---|---|
| Svara | Larmoperatör | inom en minut |
| Åka | Hemtjänst | direkt |

- [ ] Knappen sitter på
- [ ] Basenheten har ström
- [ ] Nyckeln är tillbaka

Se [grunderna](modul:modul-000).
"""


def write_content(root: Path) -> None:
    for m in range(MODULES):
        folder = root / f"modul-{m:03d}"
        folder.mkdir(parents=True)
        (folder / "module.md").write_text(
            f'---\ntitle: {{sv: Modul {m}, en: Module {m}}}\nsummary: Om larm.\naudience: []\nminutes: 20\nversion: "1.0"\n---\nIntro.\n',
            encoding="utf-8",
        )
        for s in range(SECTIONS):
            (folder / f"{s + 1:02d}-avsnitt-{s}.md").write_text(SECTION_TEXT.format(n=s), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        os.environ["PORTAL_INSTANCE_DIR"] = str(base / "instance")
        from portal.app import create_app
        from portal.content.loader import load_modules
        from portal.content.sync import sync_modules
        from portal.extensions import db

        write_content(base / "modules")
        app = create_app(
            {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'bench.sqlite'}"}
        )
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            sources = load_modules(base / "modules")
            loaded = time.perf_counter()
            sync_modules(sources)
            db.session.commit()
            synced = time.perf_counter()
            again = time.perf_counter()
            report = sync_modules(load_modules(base / "modules"))
            db.session.commit()
            unchanged = time.perf_counter() - again
        total = synced - started
        print("| content sync | result | floor | ok |\n|---|---|---|---|")
        print(
            f"| first sync, {MODULES} modules x {SECTIONS} sections | {total:.2f} s (load {loaded - started:.2f} s, "
            f"render + write {synced - loaded:.2f} s) | < {FLOOR_SECONDS:.0f} s | {'yes' if total < FLOOR_SECONDS else 'no'} |"
        )
        print(
            f"| second sync (nothing changed: {len(report.unchanged)} unchanged) | {unchanged:.2f} s | reported | yes |"
        )


if __name__ == "__main__":
    main()
