"""Sources into the database: the only content code with database side effects. Caller commits."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from portal.assessment.core import parse_quiz
from portal.content.errors import ContentError, Problem
from portal.content.loader import ModuleSource, SectionSource
from portal.content.render import render_markdown
from portal.extensions import db
from portal.models import (
    Module,
    ModuleVersion,
    QuizVersion,
    SectionKind,
    SectionVersion,
    module_version_section,
)


def module_path(slug: str) -> str:
    """The learner's URL of a module; kept in step with portal.learning's routes by a test."""
    return f"/learning/modules/{slug}"


def media_path(slug: str, filename: str) -> str:
    return f"/learning/media/{slug}/{filename}"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)  # "slug 1.1" / "slug 2.0 (major)"
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.new_versions or self.deactivated or self.reactivated)

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, new versions {len(self.new_versions)}, "
            f"unchanged {len(self.unchanged)}, deactivated {len(self.deactivated)}, "
            f"reactivated {len(self.reactivated)}"
        )


def sync_modules(
    sources: list[ModuleSource], on_progress: Callable[[ModuleSource], None] = lambda _: None
) -> SyncReport:
    """Create, version or deactivate modules to match ``sources``; raises ContentError and then
    leaves the caller to roll back, so a run writes everything or nothing."""
    report = SyncReport()
    existing = {module.slug: module for module in db.session.scalars(sa.select(Module))}
    local = {slug: module for slug, module in existing.items() if module.organisation_id is not None}
    existing = {slug: module for slug, module in existing.items() if module.organisation_id is None}
    problems: list[Problem] = []
    for source in sources:
        if source.slug in local:
            problems.append(_taken_by_local_module(source))
            continue
        module = existing.pop(source.slug, None)
        _sync_module(module, source, report, problems)
        on_progress(source)
    for module in existing.values():  # the folder is gone: keep the rows, progress points at them
        if module.is_active:
            module.is_active = False
            report.deactivated.append(module.slug)
    if problems:
        raise ContentError(problems)
    return report


def _taken_by_local_module(source: ModuleSource) -> Problem:
    return Problem(
        source.path / "module.md",
        f"the slug '{source.slug}' belongs to a municipality's local module",
        hint="choose another slug for the national module",
    )


def publish_local_module(source: ModuleSource, organisation_id: int, module: Module | None) -> SyncReport:
    """A local module's reviewed revision as its next version (or its first); raises ContentError."""
    report = SyncReport()
    problems: list[Problem] = []
    if module is None:
        _sync_module(None, source, report, problems)
        created = db.session.scalar(sa.select(Module).where(Module.slug == source.slug))
        assert created is not None  # nosec B101 – narrows the type for mypy: the module was synced just above
        created.organisation_id = organisation_id
    else:
        _sync_module(module, source, report, problems)
    if problems:
        raise ContentError(problems)
    return report


def _sync_module(
    module: Module | None, source: ModuleSource, report: SyncReport, problems: list[Problem]
) -> None:
    if module is None:
        module = Module(slug=source.slug, position=source.position)
        db.session.add(module)
        db.session.flush()
        module.current_version = _new_version(module, source, is_major=False)
        report.created.append(source.slug)
        return
    module.position = source.position
    if not module.is_active:
        module.is_active = True
        report.reactivated.append(source.slug)
    current = module.current_version
    if current is not None and current.checksum == source.checksum:
        report.unchanged.append(source.slug)
        return
    problem = _version_problem(module, current, source)
    if problem:
        problems.append(problem)
        return
    is_major = current is None or source.major > int(current.version.split(".")[0])
    module.current_version = _new_version(module, source, is_major=is_major)
    report.new_versions.append(f"{source.slug} {source.version}" + (" (major)" if is_major else ""))


def _version_problem(module: Module, current: ModuleVersion | None, source: ModuleSource) -> Problem | None:
    if current is None:
        return None
    have = tuple(int(part) for part in current.version.split("."))
    if (source.major, source.minor) <= have:
        return Problem(
            source.path / "module.md",
            f"the content changed but the version is still {source.version} (published: {current.version})",
            hint=f"raise it: {have[0]}.{have[1] + 1} for a correction, {have[0] + 1}.0 when people must take it again",
        )
    return None


def _new_version(module: Module, source: ModuleSource, is_major: bool) -> ModuleVersion:
    render = _renderer(source.slug)
    version = ModuleVersion(
        module_id=module.id,
        version=source.version,
        is_major=is_major,
        checksum=source.checksum,
        title=source.title,
        summary=source.summary,
        intro_html={lang: render(text)[0] for lang, text in source.intro.items()},
        audience=list(source.audience),
        minutes=source.minutes,
        references=list(source.references),
    )
    quiz = _quiz_version(module, source)
    sections = [_section_version(module, section, render, quiz) for section in source.sections]
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        sa.insert(module_version_section),
        [
            {"module_version_id": version.id, "section_version_id": section.id, "position": position}
            for position, section in enumerate(sections)
        ],
    )
    return version


def _quiz_version(module: Module, source: ModuleSource) -> QuizVersion | None:
    """The stored version of the module's quiz.yaml, reused when the file is unchanged."""
    if source.quiz_source is None:
        return None
    checksum = hashlib.sha256(source.quiz_source.encode()).hexdigest()
    found = db.session.scalar(
        sa.select(QuizVersion).where(QuizVersion.module_id == module.id, QuizVersion.checksum == checksum)
    )
    if found is not None:
        return found
    title = parse_quiz(source.quiz_source, str(source.path / "quiz.yaml"), source.slug).title
    quiz = QuizVersion(
        module_id=module.id,
        checksum=checksum,
        source=source.quiz_source,
        title={"sv": title.sv, **({"en": title.en} if title.en else {})},
    )
    db.session.add(quiz)
    db.session.flush()
    return quiz


def _section_version(
    module: Module, source: SectionSource, render: Callable, quiz: QuizVersion | None
) -> SectionVersion:
    """The stored version of this section's content, reused when it is unchanged."""
    found = db.session.scalar(
        sa.select(SectionVersion).where(
            SectionVersion.module_id == module.id,
            SectionVersion.slug == source.slug,
            SectionVersion.checksum == source.checksum,
        )
    )
    if found is not None:
        return found
    rendered = {lang: render(text) for lang, text in source.body.items()}
    section = SectionVersion(
        module_id=module.id,
        slug=source.slug,
        kind=source.kind,
        required=source.required,
        checksum=source.checksum,
        title=source.title,
        body_html={lang: html for lang, (html, _toc) in rendered.items()},
        toc={lang: toc for lang, (_html, toc) in rendered.items()},
        media=source.media,
        quiz_version_id=quiz.id if quiz is not None and source.kind is SectionKind.QUIZ else None,
    )
    db.session.add(section)
    return section


def _renderer(slug: str) -> Callable[[str], tuple[str, list]]:
    return lambda text: render_markdown(text, module_path, lambda name: media_path(slug, name))


def content_root(app_config: dict) -> Path:
    return Path(app_config["CONTENT_DIR"]) / "modules"
