"""A certification: what must be done, by whom, for how long it is valid and how it is renewed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequirementKind(StrEnum):
    """What a requirement asks for; new kinds are added here and given an evaluator in the web layer."""

    MODULE = "module"  # the module completed (its quiz passed, as the module needs it)
    EXERCISE = "exercise"  # a trygghetskedjan simulator exercise passed


class ExpiryBase(StrEnum):
    """From when a renewal's validity counts."""

    COMPLETION = "completion"  # the day the renewal was completed
    PREVIOUS_EXPIRY = "previous_expiry"  # the previous valid-until day: renewing early costs nothing


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    ref: str  # a module slug or a scenario slug


@dataclass(frozen=True, kw_only=True)
class Definition:
    """One version of a certification, as authored in content/certifications/<slug>.yaml."""

    slug: str
    version: str
    title: dict[str, str]
    summary: dict[str, str]
    requirements: tuple[Requirement, ...]
    renewal: tuple[Requirement, ...]  # the refresher path; the same requirements unless authored
    positions: tuple[str, ...] = ()  # assigned to people in these positions (empty: any position)
    unit_kinds: tuple[str, ...] = ()  # … in units of these kinds (empty: any unit)
    validity_months: int = 24
    window_days: int = 60
    expiry_base: ExpiryBase = ExpiryBase.PREVIOUS_EXPIRY
    new_staff_due_days: int = 30
    major_version_grace_days: int = 90

    @property
    def modules(self) -> frozenset[str]:
        """Every module slug named by the certification or its refresher path."""
        return frozenset(r.ref for r in self.requirements + self.renewal if r.kind is RequirementKind.MODULE)

    def applies_to(self, position: str, unit_kind: str) -> bool:
        """Whether a membership in this position and kind of unit is assigned the certification."""
        return (not self.positions or position in self.positions) and (
            not self.unit_kinds or unit_kind in self.unit_kinds
        )
