"""Sync: files become versioned rows, in one transaction, idempotently."""

import pytest
import sqlalchemy as sa

from portal.content.errors import ContentError
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import Module, ModuleVersion, ProgressStatus, SectionProgress, SectionVersion
from tests.content.builders import write_module


@pytest.fixture
def content(app, tmp_path):
    root = tmp_path / "modules"
    root.mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path)
    return root


def sync(root):
    report = sync_modules(load_modules(root))
    db.session.commit()
    return report


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_second_sync_changes_nothing(content):
    write_module(content, video=True)
    first = sync(content)
    assert first.created == ["grunder"]
    second = sync(content)
    assert not second.changed
    assert second.unchanged == ["grunder"]
    assert count(ModuleVersion) == 1
    assert count(SectionVersion) == 2


def test_cli_sync_twice_and_dry_run(app, runner, content):
    write_module(content)
    dry = runner.invoke(args=["content", "sync", "--dry-run"])
    assert "would change: created 1" in dry.output
    assert count(Module) == 0
    assert "created 1" in runner.invoke(args=["content", "sync"]).output
    again = runner.invoke(args=["content", "sync"])
    assert "created 0, new versions 0, unchanged 1" in again.output


def test_edited_section_makes_a_new_version_and_old_progress_stays(content, org, make_user):
    folder = write_module(
        content,
        sections={
            "01-start.md": "---\ntitle: Start\n---\nGammal text.\n",
            "02-mer.md": "---\ntitle: Mer\n---\nOförändrad.\n",
        },
    )
    sync(content)
    learner = make_user(org)
    old_start, unchanged = db.session.scalar(sa.select(Module)).current_version.sections
    db.session.add(
        SectionProgress(user_id=learner.id, section_version_id=old_start.id, status=ProgressStatus.COMPLETED)
    )
    db.session.commit()

    (folder / "01-start.md").write_text("---\ntitle: Start\n---\nNy text.\n")
    (folder / "module.md").write_text(
        (folder / "module.md").read_text().replace('version: "1.0"', 'version: "1.1"')
    )
    report = sync(content)
    assert report.new_versions == ["grunder 1.1"]
    module = db.session.scalar(sa.select(Module))
    new_start, still_same = module.current_version.sections
    assert new_start.id != old_start.id
    assert still_same.id == unchanged.id, "an unchanged section is shared, so its progress carries over"
    progress = db.session.scalar(sa.select(SectionProgress))
    assert progress.section_version_id == old_start.id
    assert [v.version for v in module.versions] == ["1.0", "1.1"]
    assert module.current_version.is_major is False


def test_a_major_bump_is_marked(content):
    folder = write_module(content)
    sync(content)
    (folder / "01-start.md").write_text("---\ntitle: Start\n---\nNy rutin.\n")
    (folder / "module.md").write_text(
        (folder / "module.md").read_text().replace('version: "1.0"', 'version: "2.0"')
    )
    assert sync(content).new_versions == ["grunder 2.0 (major)"]
    assert db.session.scalar(sa.select(Module)).current_version.is_major


def test_changed_content_without_a_new_version_is_refused(content):
    folder = write_module(content)
    sync(content)
    (folder / "01-start.md").write_text("---\ntitle: Start\n---\nÄndrad utan ny version.\n")
    with pytest.raises(ContentError, match="version is still 1.0"):
        sync(content)
    db.session.rollback()
    assert count(ModuleVersion) == 1


def test_removed_module_is_deactivated_and_progress_kept(content, org, make_user):
    import shutil

    write_module(content, slug="a-modul")
    write_module(content, slug="b-modul")
    sync(content)
    learner = make_user(org)
    section = db.session.scalar(sa.select(SectionVersion).where(SectionVersion.slug == "start"))
    db.session.add(
        SectionProgress(user_id=learner.id, section_version_id=section.id, status=ProgressStatus.STARTED)
    )
    db.session.commit()
    shutil.rmtree(content / "a-modul")
    report = sync(content)
    assert report.deactivated == ["a-modul"]
    assert count(Module) == 2
    assert count(SectionProgress) == 1
    write_module(content, slug="a-modul")
    assert sync(content).reactivated == ["a-modul"]


def test_a_bad_file_writes_nothing_at_all(runner, content):
    write_module(content, slug="bra")
    write_module(content, slug="trasig", sections={"01-x.md": "---\ntitle: X\nkind: podcast\n---\n"})
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code != 0
    assert "nothing was written" in result.output
    assert "unknown section kind 'podcast'" in result.output
    assert count(Module) == 0


def test_sections_are_rendered_and_sanitised_at_sync(content):
    write_module(
        content, sections={"01-start.md": "---\ntitle: Start\n---\n## Hej\n\n<script>alert(1)</script>Text\n"}
    )
    sync(content)
    section = db.session.scalar(sa.select(SectionVersion))
    assert '<h2 id="hej">Hej</h2>' in section.body_html["sv"]
    assert "script" not in section.body_html["sv"]
    assert section.toc["sv"][0]["name"] == "Hej"
