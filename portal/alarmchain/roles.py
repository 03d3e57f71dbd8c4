"""Who may take which action: one answer over the case, ticket, outage and service machines."""

from __future__ import annotations

from portal.alarmchain import incidents as inc
from portal.alarmchain import lifecycle as lc
from portal.alarmchain.case import ACTORS, CaseAction
from portal.alarmchain.events import Actor, Kind


def actors_for(kind: Kind, action: str) -> frozenset[Actor]:
    """Return who may take ``action`` on an entity of ``kind``."""
    if kind is Kind.CASE:
        try:
            return ACTORS[CaseAction(action)]
        except ValueError:
            return frozenset()
    if kind is Kind.TICKET:
        return inc.TICKET_ACTORS.get(action, frozenset())
    if kind is Kind.OUTAGE:
        known = {a for (_, a) in inc.OUTAGE_TRANSITIONS}
        return frozenset({Actor.MANAGER}) if action in known else frozenset()
    if kind is Kind.SERVICE:
        rule = lc.RULES.get(action)
        return rule[2] if rule else frozenset()
    return frozenset()
