"""Trygghetskedjan runs: a scenario, a seed and the inputs from outside the automated chain.

The engine's events are not stored: every request plays the inputs again through the engine, which
gives the same run on any worker (see portal/alarmchain/live.py). The inputs are append-only.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow


class RunMode(enum.StrEnum):
    DEMO = "demo"  # public: automated actors play every role; anyone with the link may watch and steer
    EXERCISE = "exercise"  # a logged-in trainee plays one role and is scored


class InputKind(enum.StrEnum):
    PERSON = "person"  # a trainee's action (an engine event)
    DEVICE = "device"  # a SCAIP message from an outside device (an engine event)
    INJECTION = "injection"  # a fault injected into the demo


class SimulationRun(db.Model):
    """One run of a scenario. ``revision`` counts the inputs; every change is a conditional UPDATE on
    it, so two workers serving one run never both append the same input."""

    __table_args__ = (
        sa.Index("ix_simulation_run_client_created", "client_key", "created_at"),
        sa.Index("ix_simulation_run_user_scenario", "user_id", "scenario_slug"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # unguessable: the run's link
    scenario_slug: Mapped[str] = mapped_column(sa.String(80))
    scenario_version: Mapped[int]
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    mode: Mapped[RunMode] = mapped_column(enum_column(RunMode))
    role: Mapped[str | None] = mapped_column(sa.String(20))  # the Actor a trainee plays
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    client_key: Mapped[str] = mapped_column(sa.String(64))  # keyed hash of the creating address
    virtual_now: Mapped[datetime] = mapped_column(UTCDateTime)
    speed: Mapped[int] = mapped_column(default=10)
    revision: Mapped[int] = mapped_column(default=0)
    input_count: Mapped[int] = mapped_column(default=0)  # inputs are append-only: the count names them
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[int | None]
    max_points: Mapped[int | None]
    percent: Mapped[int | None]
    passed: Mapped[bool | None]
    result: Mapped[dict | None] = mapped_column(sa.JSON)  # the engine's per-step verdicts, for the page

    inputs: Mapped[list["SimulationInput"]] = relationship(
        order_by="SimulationInput.seq", cascade="all, delete-orphan", passive_deletes=True
    )


class SimulationInput(db.Model):
    """One input to a run at a virtual time: an engine event (as the engine's JSON) or an injection."""

    __table_args__ = (sa.UniqueConstraint("run_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.ForeignKey("simulation_run.id", ondelete="CASCADE"))
    seq: Mapped[int]
    kind: Mapped[InputKind] = mapped_column(enum_column(InputKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(sa.Text)  # event JSON, or the injection's name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
