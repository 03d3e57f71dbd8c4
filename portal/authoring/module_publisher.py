"""Publishing a local module: its revision's files are written out as a content/ folder and go
through the same loader, checks and sync as the national material, so a local module is held to
the same rules (alt texts, captions, a valid quiz) and learners get it the same way."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.authoring import files, media, workflow
from portal.certification.services import (
    renewals_after_major_version,
    require_renewal_after_major_version,
)
from portal.content.errors import ContentError
from portal.content.glossary import GlossaryError, glossary_in
from portal.content.loader import ModuleSource, load_module
from portal.content.sync import publish_local_module
from portal.extensions import db
from portal.models import ContentKind, Module, Revision


@contextmanager
def written_out(slug: str, texts: dict[str, str], media_files: dict[str, str]) -> Iterator[Path]:
    """A module folder of these files (media linked from the store) for as long as it is needed."""
    with tempfile.TemporaryDirectory(prefix="portal-module-") as root:
        folder = Path(root) / slug
        folder.mkdir()
        for path, text in texts.items():
            (folder / path).write_text(text, encoding="utf-8")
        if media_files:
            (folder / "media").mkdir()
        for path, sha256 in media_files.items():
            os.symlink(media.path_of(sha256), folder / path)
        yield folder


def known_slugs(organisation_id: int) -> frozenset[str]:
    """Modules a local module may link to: the national ones and the organisation's own."""
    return frozenset(
        db.session.scalars(
            sa.select(Module.slug).where(
                Module.is_active,
                sa.or_(Module.organisation_id.is_(None), Module.organisation_id == organisation_id),
            )
        )
    )


def national_glossary_ids() -> frozenset[str]:
    """The glossary terms a local module may link to (ordlista:id): the national glossary's."""
    try:
        return glossary_in(Path(current_app.config["CONTENT_DIR"])).ids
    except GlossaryError:  # the content sync names the problem; a local link to a term waits for it
        return frozenset()


def load(revision: Revision, version: str) -> ModuleSource:
    """The revision as a checked module source; raises workflow.ContentProblems."""
    numbered = files.with_version(revision.files, version)
    with written_out(revision.content.slug, numbered, revision.media) as folder:
        try:
            return load_module(folder, known_slugs(revision.content.organisation_id), national_glossary_ids())
        except ContentError as error:
            raise workflow.ContentProblems(
                [_relative(problem, folder) for problem in error.problems]
            ) from error


def _relative(problem, folder: Path) -> str:
    where = str(problem.path).removeprefix(str(folder)).lstrip("/") or problem.path.name
    line = f":{problem.line}" if problem.line else ""
    return f"{where}{line}: {problem.message}" + (f" – {problem.hint}" if problem.hint else "")


class ModulePublisher:
    editor = "authoring.module_edit"

    def new_files(self, slug: str, title: str) -> dict[str, str]:
        return files.new_module(slug, title)

    def problems(self, revision: Revision) -> list[str]:
        if files.MODULE_FILE not in revision.files:
            return [f"{files.MODULE_FILE}: missing"]
        try:
            load(revision, "0.1")
        except workflow.ContentProblems as error:
            return error.problems
        return []

    def renewals(self, revision: Revision) -> int:
        return renewals_after_major_version(revision.content.slug)

    def publish(self, revision: Revision) -> int | None:
        assert revision.version is not None  # nosec B101 – narrows the type for mypy: the workflow numbers a revision before publishing it
        source = load(revision, revision.version)
        revision.files = files.with_version(revision.files, revision.version)
        module = db.session.scalar(sa.select(Module).where(Module.slug == revision.content.slug))
        publish_local_module(source, revision.content.organisation_id, module)
        module = db.session.scalar(sa.select(Module).where(Module.slug == revision.content.slug))
        assert module is not None  # nosec B101 – narrows the type for mypy: the sync above made the module
        assert module.current_version is not None  # nosec B101 – narrows the type for mypy: the sync above made the version
        module.is_active = True
        if revision.is_major:
            require_renewal_after_major_version(module, module.current_version)
        return module.current_version_id


workflow.register(ContentKind.MODULE, ModulePublisher())
