"""The scenarios in content/scenarios, loaded once per change of the folder, and the exercise roles."""

import time
from pathlib import Path

from flask import current_app

from portal.alarmchain import Actor, Scenario, actors_for, load_scenarios

# The roles a trainee can take, in the order the exercise page lists them.
ROLES: dict[str, Actor] = {
    "home_care": Actor.HOME_CARE,
    "operator": Actor.OPERATOR,
    "larmteam": Actor.LARMTEAM,
    "manager": Actor.MANAGER,
}

RECHECK_SECONDS = 2.0  # how soon an author's edit shows; looking at every file was a tenth of a step

_cache: dict[str, tuple[float, tuple, dict[str, Scenario]]] = {}


def scenarios() -> dict[str, Scenario]:
    """Every scenario by slug, in file order; read again when a file changes."""
    folder = Path(current_app.config["SCENARIO_DIR"])
    cached = _cache.get(str(folder))
    now = time.monotonic()
    if cached is not None and now - cached[0] < RECHECK_SECONDS:
        return cached[2]
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yaml")))
    found = cached[2] if cached is not None and cached[1] == stamp else load_scenarios(folder)
    _cache[str(folder)] = (now, stamp, found)
    return found


def roles_of(scenario: Scenario) -> list[str]:
    """The roles with a scored step in ``scenario`` (so it is an exercise for them)."""
    return [
        role
        for role, actor in ROLES.items()
        if any(actor in actors_for(step.kind, step.action) for step in scenario.expected)
    ]


def exercises_for(role: str) -> list[Scenario]:
    """The scenarios a trainee in ``role`` can practise."""
    return [s for s in scenarios().values() if role in roles_of(s)]
