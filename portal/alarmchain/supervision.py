"""Device supervision (funktionsövervakning) per the brief §6.3, one device at a time.

A unit's health is kept as independent regions (link, power, button, unit battery, daily test)
rather than one state, because a unit can be on battery power and lose its button at once.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime

from portal.alarmchain.codes import LINK_FAILURES, LINK_RESTORALS, TEST_STATUSES, DeviceType
from portal.alarmchain.codes import StatusCode as SC
from portal.alarmchain.errors import InvalidTransition
from portal.alarmchain.events import Actor, Event
from portal.alarmchain.policy import Policy

MACHINE = "device"
LINK_TIMEOUT = "link_timeout"
DAILY_TEST_TIMEOUT = "daily_test_timeout"


class Link(enum.StrEnum):
    ONLINE = "online"
    LOST = "lost"


class Power(enum.StrEnum):
    MAINS = "mains"
    BATTERY = "battery"  # about 70 h autonomy (Uppsala, Kungsbacka)


class Button(enum.StrEnum):
    OK = "ok"
    BATTERY_LOW = "battery_low"
    NOT_HEARD = "not_heard"  # the person cannot raise an alarm: urgent


class Health(enum.StrEnum):
    OK = "ok"
    LOW = "low"
    MISSED = "missed"


class TechKind(enum.StrEnum):
    """Technical alarms (tekniska larm) a device condition raises."""

    LINK_LOST = "link_lost"
    BUTTON_LOST = "button_lost"
    TEST_MISSED = "test_missed"
    BATTERY_LOW = "battery_low"
    POWER_FAILURE = "power_failure"
    MALFUNCTION = "malfunction"


@dataclass(frozen=True, slots=True)
class Device:
    """One larmenhet as the receiving centre sees it."""

    cid: str
    area: str
    registered_at: datetime
    last_seen: datetime
    last_test: datetime | None = None
    link: Link = Link.ONLINE
    power: Power = Power.MAINS
    button: Button = Button.OK
    battery: Health = Health.OK
    daily_test: Health = Health.OK
    malfunction: bool = False
    lost_at: datetime | None = None

    @property
    def health(self) -> tuple[object, ...]:
        """Return the region values; equal health means equal conditions (cheap to compare)."""
        return self.link, self.power, self.button, self.battery, self.daily_test, self.malfunction

    @property
    def conditions(self) -> frozenset[TechKind]:
        """Return the technical alarms currently standing on this device."""
        found = set()
        if self.link is Link.LOST:
            found.add(TechKind.LINK_LOST)
        if self.button is Button.NOT_HEARD:
            found.add(TechKind.BUTTON_LOST)
        if self.button is Button.BATTERY_LOW or self.battery is Health.LOW:
            found.add(TechKind.BATTERY_LOW)
        if self.daily_test is Health.MISSED:
            found.add(TechKind.TEST_MISSED)
        if self.power is Power.BATTERY:
            found.add(TechKind.POWER_FAILURE)
        if self.malfunction:
            found.add(TechKind.MALFUNCTION)
        return frozenset(found)


def register_device(cid: str, at: datetime, area: str = "urban") -> Device:
    """Return a newly registered, online device."""
    return Device(cid=cid, area=area, registered_at=at, last_seen=at)


def _status_changes(stc: str, is_button: bool, device: Device, at: datetime) -> dict[str, object]:
    if stc in TEST_STATUSES:
        return {"last_test": at, "daily_test": Health.OK}
    if stc in (SC.BATTERY_LOW, SC.BATTERY_FAILURE):
        return {"button": Button.BATTERY_LOW} if is_button else {"battery": Health.LOW}
    if stc == SC.BATTERY_OK:
        if is_button:
            return {"button": Button.OK} if device.button is Button.BATTERY_LOW else {}
        return {"battery": Health.OK}
    if stc in LINK_FAILURES:
        return {"link": Link.LOST, "lost_at": at}
    simple: dict[str, dict[str, object]] = {
        SC.POWER_FAILURE: {"power": Power.BATTERY},
        SC.POWER_RESTORED: {"power": Power.MAINS},
        SC.RADIO_TEST_MISSING: {"button": Button.NOT_HEARD},
        SC.RADIO_TEST_RESTORED: {"button": Button.OK},
        SC.MALFUNCTION: {"malfunction": True},
        SC.MAINTENANCE_NEEDED: {"malfunction": True},
        SC.NORMAL_STATE: {"malfunction": False},
        SC.RESTORAL: {"malfunction": False},
    }
    return simple.get(stc, {})


def observe(device: Device, event: Event) -> Device:
    """Return the device after a message from it: any message is a sign of life."""
    stc = event.param("stc")
    if stc is None and device.link is Link.ONLINE:
        return _seen(device, event.at)
    changes: dict[str, object] = {"last_seen": event.at}
    if device.link is Link.LOST:
        changes.update(link=Link.ONLINE, lost_at=None)
    if stc is not None:
        if stc in LINK_RESTORALS:
            changes.update(link=Link.ONLINE, lost_at=None)
        is_button = event.param("dty") == DeviceType.PERSONAL_TRIGGER
        changes.update(_status_changes(stc, is_button, device, event.at))
    return dataclasses.replace(device, **changes)  # type: ignore[arg-type]


def _seen(d: Device, at: datetime) -> Device:
    # The heartbeat path: a plain constructor call is several times faster than replace().
    return Device(d.cid, d.area, d.registered_at, at, d.last_test, d.link, d.power, d.button,
                  d.battery, d.daily_test, d.malfunction, d.lost_at)  # fmt: skip


def link_deadline(device: Device, policy: Policy) -> datetime:
    """Return when the link is lost if nothing more is heard."""
    return device.last_seen + policy.link_timeout


def test_deadline(device: Device, policy: Policy) -> datetime:
    """Return when the daily test counts as missed if none arrives."""
    return (device.last_test or device.registered_at) + policy.daily_test_window


def timer_applies(device: Device, event: Event, policy: Policy) -> bool:
    """Return True if a supervision timer event is due and would change the device."""
    if event.action == LINK_TIMEOUT:
        return device.link is Link.ONLINE and event.at >= link_deadline(device, policy)
    if event.action == DAILY_TEST_TIMEOUT:
        return device.daily_test is Health.OK and event.at >= test_deadline(device, policy)
    return False


def expire(device: Device, event: Event, policy: Policy) -> Device:
    """Return the device after a supervision timer; raise if the timer is stale or unknown."""
    if event.actor is not Actor.TIMER or not timer_applies(device, event, policy):
        raise InvalidTransition(MACHINE, device.link, event.action, reason="timer_not_due")
    if event.action == LINK_TIMEOUT:
        return dataclasses.replace(device, link=Link.LOST, lost_at=event.at)
    return dataclasses.replace(device, daily_test=Health.MISSED)
