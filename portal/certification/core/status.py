"""Expiry dates and status, derived from dated records and a given day (never stored as the truth).

Status of one person and one certification on `today`:
- revoked: the latest cycle was revoked;
- certified: a cycle is valid and its renewal window has not opened;
- window_open: valid, but within `window_days` of its end, or since a major content version asked
  for renewal by a renew-by day;
- expired: the latest cycle ended before today (or its renew-by day passed);
- overdue: never certified and the assignment's due day has passed;
- in_progress: never certified, some requirement done;
- not_started: never certified, nothing done.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .definition import ExpiryBase


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CERTIFIED = "certified"
    WINDOW_OPEN = "window_open"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Cycle:
    """One certification period of a person: certified on a day, valid until a day."""

    certified_on: date
    valid_until: date
    renew_by: date | None = None  # set when a major content version requires renewal sooner
    revoked_on: date | None = None
    renewal_required_on: date | None = None  # … on this day, which opens the renewal window at once

    @property
    def ends_on(self) -> date:
        """The last day the cycle counts: its validity, or an earlier renew-by day."""
        return min(self.valid_until, self.renew_by) if self.renew_by else self.valid_until


@dataclass(frozen=True)
class Standing:
    """A status with the day that matters for it (valid until, due) for display and sorting."""

    status: Status
    valid_until: date | None = None
    due_on: date | None = None
    window_opens: date | None = None


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, on the last day of a shorter month (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_valid_until(
    base: ExpiryBase, completed_on: date, validity_months: int, previous: Cycle | None = None
) -> date:
    """The valid-until day of a cycle completed on `completed_on` (renewing `previous`, if any).
    From the previous expiry only when that cycle was still valid when the renewal was completed;
    an expired or revoked one falls back to the completion day (as Totara does)."""
    if (
        base is ExpiryBase.PREVIOUS_EXPIRY
        and previous is not None
        and previous.revoked_on is None
        and completed_on <= previous.ends_on
    ):
        return add_months(previous.ends_on, validity_months)
    return add_months(completed_on, validity_months)


def renewal_window_opens(cycle: Cycle, window_days: int) -> date:
    """`window_days` before the cycle ends, or the day a new major version asked for renewal if sooner."""
    opens = cycle.ends_on - timedelta(days=window_days)
    return min(opens, cycle.renewal_required_on) if cycle.renewal_required_on else opens


def derive_status(
    today: date,
    latest: Cycle | None,
    window_days: int,
    due_on: date | None = None,
    requirements_done: int = 0,
) -> Standing:
    """The status on `today` from the latest cycle (if any), the assignment's due day and progress."""
    if latest is not None:
        if latest.revoked_on is not None and latest.revoked_on <= today:
            return Standing(Status.REVOKED, latest.valid_until)
        opens = renewal_window_opens(latest, window_days)
        if today > latest.ends_on:
            return Standing(Status.EXPIRED, latest.ends_on)
        if today >= opens:
            return Standing(Status.WINDOW_OPEN, latest.ends_on, window_opens=opens)
        return Standing(Status.CERTIFIED, latest.ends_on, window_opens=opens)
    if due_on is not None and today > due_on:
        return Standing(Status.OVERDUE, due_on=due_on)
    if requirements_done:
        return Standing(Status.IN_PROGRESS, due_on=due_on)
    return Standing(Status.NOT_STARTED, due_on=due_on)
