"""Shared fixtures for the engine tests: real traces, event helpers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.alarmchain.events import Actor, Event, Kind

T0 = datetime.fromisoformat("2025-01-14T02:40:00+01:00")

# Real device traces quoted in the domain brief §2.3 (appello communicator comments, a SIP test).
REAL_TRACES = {
    "heartbeat_two_digit": b"<mrq><ref>00001A85</ref><cha>0</cha><mty>PI</mty><cid>26317</cid>"
    b"<dty>02</dty><did>00</did><crd>no-voice:</crd><stc>102</stc></mrq>",
    "heartbeat_gsm": b"<mrq><ref>v6l7eiuzBTfybE7j</ref><cid>999998</cid><dty>0002</dty>"
    b"<mty>PI</mty><stc>0009</stc><lco>002</lco><crd>gsm:</crd><cha>0</cha></mrq>",
    "manual_alarm_fixed_trigger": b"<mrq><ref>yhexGeV5E49zglfi</ref><cid>999998</cid>"
    b"<dty>0004</dty><mty>ME</mty><stc>0010</stc><lco>002</lco><crd>gsm:</crd><cha>0</cha></mrq>",
    "malfunction": b"<mrq><ref>lmepivnFqmI8Jvv1</ref><cid>999998</cid><dty>0002</dty>"
    b"<mty>ME</mty><stc>0067</stc><crd>gsm:</crd><cha>0</cha></mrq>",
}
# The simulator shapes in the brief §6.6.
SIM_SHAPES = {
    "button": b"<mrq><ref>SIM0001</ref><ver>01.00</ver><mty>ME</mty><cid>4600123456</cid>"
    b"<dty>0003</dty><dco>002</dco><stc>0010</stc><lco>002</lco><crd>gsm:+46700000000</crd>"
    b"<cha>0</cha></mrq>",
    "heartbeat": b"<mrq><ref>SIM0002</ref><mty>PI</mty><cid>4600123456</cid><dty>0002</dty>"
    b"<stc>0102</stc><crd>no-voice:</crd></mrq>",
    "battery": b"<mrq><ref>SIM0003</ref><mty>ME</mty><cid>4600123456</cid><dty>0003</dty>"
    b"<stc>0016</stc><crd>no-voice:</crd></mrq>",
    "power": b"<mrq><ref>SIM0004</ref><mty>ME</mty><cid>4600123456</cid><dty>0041</dty>"
    b"<stc>0085</stc><crd>no-voice:</crd></mrq>",
    "door": b"<mrq><ref>SIM0005</ref><mty>ME</mty><cid>4600123456</cid><dty>0014</dty>"
    b"<stc>0077</stc><lco>039</lco><crd>gsm:+46700000000</crd></mrq>",
    "cancel": b"<mrq><ref>SIM0006</ref><mty>ME</mty><cid>4600123456</cid><dty>0003</dty>"
    b"<stc>0019</stc><crd>no-voice:</crd></mrq>",
}


def at(seconds: float) -> datetime:
    """Return T0 plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def msg(seconds: float, cid: str, mty: str = "ME", **params: str) -> Event:
    """Return a device message event."""
    return Event(at(seconds), Actor.DEVICE, Kind.DEVICE, cid, mty, tuple(sorted(params.items())))


def act(seconds: float, actor: Actor, kind: Kind, subject: str, action: str, **params: str) -> Event:
    """Return an actor action event."""
    return Event(at(seconds), actor, kind, subject, action, tuple(sorted(params.items())))


def alarm(seconds: float = 0, cid: str = "4600123456", crd: str = "gsm:+46700000000") -> Event:
    """Return a manual alarm from the worn button."""
    return msg(seconds, cid, dty="0003", stc="0010", crd=crd, ref="R1")


@pytest.fixture
def t0() -> datetime:
    return T0
