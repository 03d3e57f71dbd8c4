"""Item statistics for authors: every quiz version, one version's analysis, and the same as a CSV file.
The numbers come from the cache `flask quiz analyse` fills; a request never computes them. A reader sees
the national quizzes and their own organisation's local ones, never another organisation's."""

import csv
import io
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BuildError

from portal.assessment import bp
from portal.assessment.services import quiz_of
from portal.assessment.statistics import CachedStatistics, cached_statistics, cached_statistics_of
from portal.assessment.statistics_report import (
    CSV_DELIMITER,
    FEW_ATTEMPTS,
    FLAG_EXPLANATIONS,
    FLAG_LABELS,
    QuestionReport,
    alpha_rating,
    csv_table,
    question_reports,
)
from portal.auth.decorators import role_required
from portal.extensions import db
from portal.i18n import pick
from portal.models import Module, ModuleVersion, QuizVersion, Role


@dataclass(frozen=True)
class QuizEntry:
    """A quiz version as the authors' pages name it."""

    version: QuizVersion
    module_slug: str
    module_title: dict[str, str] | None
    organisation_id: int | None  # the module's: None for national material
    cached: CachedStatistics | None = None

    @property
    def module_name(self) -> str:
        return pick(self.module_title) or self.module_slug

    @property
    def is_local(self) -> bool:
        return self.organisation_id is not None


@bp.get("/authoring/statistics/quizzes")
@role_required(Role.AUTHOR, Role.ADMIN)
def statistics_index():
    entries = _quiz_entries()
    cached = cached_statistics_of(entry.version.id for entry in entries)
    entries = [replace(entry, cached=cached.get(entry.version.id)) for entry in entries]
    return render_template("assessment/statistics_index.html", entries=entries, alpha_rating=alpha_rating)


@bp.get("/authoring/statistics/quizzes/<int:quiz_version_id>")
@role_required(Role.AUTHOR, Role.ADMIN)
def statistics_detail(quiz_version_id: int):
    entry = _quiz_entry(quiz_version_id)
    all_attempts, cached = _requested_statistics(quiz_version_id)
    reports = question_reports(quiz_of(entry.version), cached.stats, _language()) if cached else []
    return render_template(
        "assessment/statistics_detail.html",
        entry=entry,
        cached=cached,
        reports=reports,
        all_attempts=all_attempts,
        alpha_rating=alpha_rating,
        few_attempts=FEW_ATTEMPTS,
        flag_labels=FLAG_LABELS,
        flag_explanations=FLAG_EXPLANATIONS,
        editor_urls=_editor_urls(entry, reports),
    )


@bp.get("/authoring/statistics/quizzes/<int:quiz_version_id>.csv")
@role_required(Role.AUTHOR, Role.ADMIN)
def statistics_csv(quiz_version_id: int):
    entry = _quiz_entry(quiz_version_id)
    all_attempts, cached = _requested_statistics(quiz_version_id)
    if cached is None:
        abort(404)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte order mark that makes Excel read UTF-8
    csv.writer(buffer, delimiter=CSV_DELIMITER).writerows(
        csv_table(quiz_of(entry.version), cached.stats, _language())
    )
    name = (
        f"statistics-{entry.module_slug}-{quiz_version_id}-{'all' if all_attempts else 'first'}-attempts.csv"
    )
    return Response(
        buffer.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def _requested_statistics(quiz_version_id: int) -> tuple[bool, CachedStatistics | None]:
    """Whether all attempts were asked for (?all=1; first attempts by default), and that analysis."""
    all_attempts = request.args.get("all") == "1"
    return all_attempts, cached_statistics(quiz_version_id, first_attempts_only=not all_attempts)


def _language() -> str:
    return str(get_locale())


def _editor_urls(entry: QuizEntry, reports: list[QuestionReport]) -> dict[str, str]:
    """question id → the question's editor, for the flagged questions of a local module. National
    questions are edited in content/, so they have none."""
    if not entry.is_local:
        return {}
    found = (
        (report.question.id, _question_editor_url(entry.module_slug, report.question.id))
        for report in reports
        if report.flags
    )
    return {question_id: url for question_id, url in found if url is not None}


def _question_editor_url(module_slug: str, question_id: str) -> str | None:
    try:
        return url_for("authoring.question_edit", slug=module_slug, question_id=question_id)
    except BuildError:  # an installation without the authoring editor: the flag stands without a link
        return None


def _entries_query() -> sa.Select:
    visible = sa.or_(Module.organisation_id.is_(None), Module.organisation_id == current_user.organisation_id)
    return (
        sa.select(QuizVersion, Module.slug, ModuleVersion.title, Module.organisation_id)
        .join(Module, Module.id == QuizVersion.module_id)
        .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(visible)
    )


def _quiz_entries() -> list[QuizEntry]:
    """Every quiz version: modules in the learners' order, a module's newest quiz first."""
    rows = db.session.execute(
        _entries_query().order_by(
            Module.position, Module.slug, QuizVersion.created_at.desc(), QuizVersion.id.desc()
        )
    )
    return [QuizEntry(*row) for row in rows]


def _quiz_entry(quiz_version_id: int) -> QuizEntry:
    row = db.session.execute(_entries_query().where(QuizVersion.id == quiz_version_id)).first()
    if row is None:
        abort(404)
    return QuizEntry(*row)
