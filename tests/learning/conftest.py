import pytest

from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from tests.content.builders import write_module


@pytest.fixture
def course(app, tmp_path, org, make_unit, make_user):
    """Two synced modules (one with a film) and a learner in home care."""
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    write_module(
        root,
        slug="grunder",
        video=True,
        sections={
            "01-start.md": "---\ntitle: {sv: Start, en: Start}\n---\n## Första\n\nText.\n\n## Andra\n\nMer.\n",
            "03-lista.md": "---\ntitle: Checklista\nkind: checklist\n---\n- [ ] Knappen sitter på\n",
            "04-extra.md": "---\ntitle: Extra\nrequired: false\n---\nFrivilligt.\n",
        },
    )
    write_module(root, slug="nattchef", module_meta="", sections={"01-a.md": "---\ntitle: A\n---\nA.\n"})
    folder = root / "nattchef"
    text = (folder / "module.md").read_text().replace("audience: []", "audience: [operations_manager]")
    (folder / "module.md").write_text(text)
    sync_modules(load_modules(root))
    db.session.commit()
    learner = make_user(org, username="anna", unit=make_unit(org))
    return root, learner
