"""Statistics for authors on the trygghetskedjan exercises of their organisation's people: runs and passes
per scenario and role, and per step how often it was missed, late or out of order, read from the verdicts
that finishing a run stores in its result (SimulationRun.result, see portal/simulator/services.py)."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from portal.authoring.statistics import count_where, is_postgresql, share
from portal.extensions import db
from portal.models import RunMode, SimulationRun, User


@dataclass(frozen=True)
class ExerciseFigures:
    """The organisation's finished exercise runs of a scenario in one role."""

    scenario_slug: str
    role: str
    runs: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return share(self.passed, self.runs)


@dataclass(frozen=True)
class StepFigures:
    """How one expected step went, over the runs whose result judged it."""

    step: str
    action: str
    kind: str
    runs: int
    missed: int
    late: int
    out_of_order: int

    @property
    def missed_share(self) -> float | None:
        return share(self.missed, self.runs)

    @property
    def late_share(self) -> float | None:
        return share(self.late, self.runs)

    @property
    def out_of_order_share(self) -> float | None:
        return share(self.out_of_order, self.runs)


@dataclass(frozen=True)
class ForbiddenFigures:
    """A forbidden action and the number of runs in which it was taken at least once."""

    action: str
    runs: int


def _finished_exercises(organisation_id: int) -> sa.Select[Any]:
    return (
        sa.select()
        .select_from(SimulationRun)
        .join(User, User.id == SimulationRun.user_id)
        .where(
            SimulationRun.mode == RunMode.EXERCISE,
            SimulationRun.finished_at.is_not(None),
            User.organisation_id == organisation_id,
        )
    )


def exercise_figures(organisation_id: int, scenario_slug: str | None = None) -> list[ExerciseFigures]:
    """Runs and passes per scenario and role (of one scenario, if given)."""
    statement = (
        _finished_exercises(organisation_id)
        .add_columns(
            SimulationRun.scenario_slug,
            SimulationRun.role,
            sa.func.count(),
            count_where(SimulationRun.passed.is_(True)),
        )
        .group_by(SimulationRun.scenario_slug, SimulationRun.role)
        .order_by(SimulationRun.scenario_slug, SimulationRun.role)
    )
    if scenario_slug is not None:
        statement = statement.where(SimulationRun.scenario_slug == scenario_slug)
    return [ExerciseFigures(*row) for row in db.session.execute(statement)]


def step_figures(organisation_id: int, scenario_slug: str) -> dict[str, list[StepFigures]]:
    """role → each step's verdict counts. The database counts the steps per verdict, so only a few
    rows per step (one per verdict given) come back, however many runs there are."""
    steps = _json_array(SimulationRun.result, "steps")
    fields = [_json_text(steps.c.value, key) for key in ("step", "action", "kind", "verdict")]
    statement = (
        _finished_exercises(organisation_id)
        .join(steps, sa.true())
        .add_columns(SimulationRun.role, *fields, sa.func.count())
        .where(SimulationRun.scenario_slug == scenario_slug)
        .group_by(SimulationRun.role, *fields)
    )
    verdicts: dict[tuple[str, str, str, str], Counter[str]] = {}
    for role, step, action, kind, verdict, runs in db.session.execute(statement):
        verdicts.setdefault((role, step, action, kind), Counter())[verdict] += runs
    found: dict[str, list[StepFigures]] = {}
    for (role, step, action, kind), counts in verdicts.items():
        figures = StepFigures(
            step, action, kind, counts.total(), counts["missed"], counts["late"], counts["out_of_order"]
        )
        found.setdefault(role, []).append(figures)
    return found


def in_scenario_order(figures: list[StepFigures], names: list[str]) -> list[StepFigures]:
    """The steps in the scenario's order; steps that only an earlier version of it had come last."""
    place = {name: index for index, name in enumerate(names)}
    return sorted(figures, key=lambda figure: (place.get(figure.step, len(place)), figure.step))


def forbidden_figures(organisation_id: int, scenario_slug: str) -> dict[str, list[ForbiddenFigures]]:
    """role → the forbidden actions taken, each with the number of runs that took it."""
    wrong = _json_array(SimulationRun.result, "wrong")
    action = _json_text(wrong.c.value, "step")  # a forbidden action's verdict is named by the action
    statement = (
        _finished_exercises(organisation_id)
        .join(wrong, sa.true())
        .add_columns(SimulationRun.role, action, sa.func.count(sa.distinct(SimulationRun.id)))
        .where(SimulationRun.scenario_slug == scenario_slug)
        .group_by(SimulationRun.role, action)
        .order_by(SimulationRun.role, action)
    )
    found: dict[str, list[ForbiddenFigures]] = {}
    for role, name, runs in db.session.execute(statement):
        found.setdefault(role, []).append(ForbiddenFigures(name, runs))
    return found


def _json_array(column: Any, key: str) -> sa.TableValuedAlias:
    """The elements of the JSON array under ``key`` as rows with a ``value`` column (a lateral join).
    PostgreSQL reads the stored json once as jsonb: reading each field from json text parses it again."""
    if is_postgresql():
        elements = sa.func.jsonb_array_elements(
            sa.func.jsonb_extract_path(sa.cast(column, JSONB), sa.literal(key))
        )
    else:
        elements = sa.func.json_each(column, sa.literal(f"$.{key}"))
    return elements.table_valued("value").alias(key)


def _json_text(element: Any, key: str) -> sa.ColumnElement[str]:
    if is_postgresql():
        return sa.func.jsonb_extract_path_text(element, sa.literal(key))
    return sa.func.json_extract(element, sa.literal(f"$.{key}"))
