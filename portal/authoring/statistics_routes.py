"""The authors' statistics: how far their organisation's people get in each module and section, and how
the exercises go step by step. Numbers for the group only, never a person's name or answers."""

from dataclasses import dataclass

from flask import abort, render_template
from flask_login import current_user

from portal.alarmchain import Scenario
from portal.auth.decorators import role_required
from portal.authoring import bp, statistics
from portal.authoring import exercise_statistics as exercises
from portal.i18n import pick
from portal.models import Role
from portal.simulator import labels
from portal.simulator.catalogue import ROLES, scenarios
from portal.simulator.services import PASS_PERCENT


@dataclass(frozen=True)
class RoleReport:
    """One role's exercise figures with its steps and the forbidden actions taken."""

    role: str
    figures: exercises.ExerciseFigures
    steps: list[exercises.StepFigures]
    forbidden: list[exercises.ForbiddenFigures]

    def taken_share(self, wrong: exercises.ForbiddenFigures) -> float | None:
        return statistics.share(wrong.runs, self.figures.runs)


@bp.get("/statistics")
@role_required(Role.AUTHOR)
def statistics_overview():
    organisation_id = current_user.organisation_id
    return render_template(
        "authoring/statistics.html",
        modules=statistics.module_figures(organisation_id),
        exercises=_in_catalogue_order(exercises.exercise_figures(organisation_id)),
        scenario_title=_scenario_title,
        exercise_role_label=_role_label,
    )


@bp.get("/statistics/modules/<slug>")
@role_required(Role.AUTHOR)
def statistics_module(slug: str):
    organisation_id = current_user.organisation_id
    module = statistics.visible_module(slug, organisation_id)
    if module is None:
        abort(404)
    version = module.current_version
    return render_template(
        "authoring/statistics_module.html",
        figures=statistics.module_figures(organisation_id, module.id)[0],
        sections=statistics.section_figures(version, organisation_id),
        quiz_version_ids=statistics.quiz_version_ids(version),
    )


@bp.get("/statistics/exercises/<scenario>")
@role_required(Role.AUTHOR)
def statistics_exercise(scenario: str):
    organisation_id = current_user.organisation_id
    found = scenarios().get(scenario)
    figures = exercises.exercise_figures(organisation_id, scenario)
    if found is None and not figures:
        abort(404)
    return render_template(
        "authoring/statistics_exercise.html",
        scenario_slug=scenario,
        title=_scenario_title(scenario),
        reports=_role_reports(organisation_id, scenario, found, figures),
        exercise_role_label=_role_label,
        step_label=_step_label,
        forbidden_label=lambda action: _forbidden_label(found, action),
        pass_percent=PASS_PERCENT,
    )


def _role_reports(
    organisation_id: int,
    slug: str,
    scenario: Scenario | None,
    figures: list[exercises.ExerciseFigures],
) -> list[RoleReport]:
    steps = exercises.step_figures(organisation_id, slug)
    forbidden = exercises.forbidden_figures(organisation_id, slug)
    order = [step.name for step in scenario.expected] if scenario else []
    return [
        RoleReport(
            row.role,
            row,
            exercises.in_scenario_order(steps.get(row.role, []), order),
            forbidden.get(row.role, []),
        )
        for row in sorted(figures, key=_role_place)
    ]


def _in_catalogue_order(
    figures: list[exercises.ExerciseFigures],
) -> list[exercises.ExerciseFigures]:
    """Scenarios in the catalogue's order (any no longer there last), each one's roles in the
    exercise page's order."""
    place = {slug: index for index, slug in enumerate(scenarios())}
    return sorted(figures, key=lambda row: (place.get(row.scenario_slug, len(place)), *_role_place(row)))


def _role_place(row: exercises.ExerciseFigures) -> tuple[int, str]:
    roles = list(ROLES)
    return (roles.index(row.role) if row.role in roles else len(roles), row.role)


def _scenario_title(slug: str) -> str:
    found = scenarios().get(slug)
    return pick(found.title) if found else slug


def _role_label(role: str | None) -> str:
    return labels.role_label(ROLES.get(role or "", role or ""))


def _step_label(step: exercises.StepFigures) -> str:
    return labels.done_label(step.kind, step.action)


def _forbidden_label(scenario: Scenario | None, action: str) -> str:
    kinds = [f.kind for f in scenario.forbidden if f.action == action] if scenario else []
    return labels.action_label(str(kinds[0]) if kinds else "case", action)
