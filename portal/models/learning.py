"""Training modules as immutable versions, and each person's progress on the version they took."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow


class SectionKind(enum.StrEnum):
    TEXT = "text"
    VIDEO = "video"
    CHECKLIST = "checklist"
    QUIZ = "quiz"  # filled in by the assessment feature
    EXERCISE = "exercise"  # a trygghetskedjan exercise, filled in by the simulator feature


class ProgressStatus(enum.StrEnum):
    STARTED = "started"
    COMPLETED = "completed"


class Module(db.Model):
    """A module's identity (its slug); what learners see is its current version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # None: national material from content/; else the organisation whose authors wrote it.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("module_version.id", use_alter=True, name="fk_module_current_version_id")
    )

    current_version: Mapped["ModuleVersion | None"] = relationship(foreign_keys=[current_version_id])
    versions: Mapped[list["ModuleVersion"]] = relationship(
        back_populates="module", foreign_keys="ModuleVersion.module_id", order_by="ModuleVersion.id"
    )

    @hybrid_property
    def is_open(self) -> bool:
        """Learners can open it: active, with a published version (in Python and in a query)."""
        return self.is_active and self.current_version_id is not None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.is_active, cls.current_version_id.is_not(None))


module_version_section = sa.Table(
    "module_version_section",
    db.metadata,
    sa.Column("module_version_id", sa.ForeignKey("module_version.id"), primary_key=True),
    sa.Column("section_version_id", sa.ForeignKey("section_version.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)


class ModuleVersion(db.Model):
    """One published version of a module: never changed once written."""

    __table_args__ = (sa.UniqueConstraint("module_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    version: Mapped[str] = mapped_column(sa.String(16))
    is_major: Mapped[bool] = mapped_column(default=False)  # a major bump: people must take it again
    checksum: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    summary: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    intro_html: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    audience: Mapped[list[str]] = mapped_column(sa.JSON)
    minutes: Mapped[int]
    references: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="versions", foreign_keys=[module_id])
    # Written once by content sync (with positions); read-only here, as a version never changes.
    sections: Mapped[list["SectionVersion"]] = relationship(
        secondary=module_version_section, order_by=module_version_section.c.position, viewonly=True
    )


class SectionVersion(db.Model):
    """A section's content; shared by module versions in which it did not change, so progress on an
    unchanged section carries over to a minor version."""

    __table_args__ = (sa.UniqueConstraint("module_id", "slug", "checksum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[SectionKind] = mapped_column(enum_column(SectionKind))
    required: Mapped[bool] = mapped_column(default=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    # Rendered and sanitised per language; deferred, as a page needs only the shown section's text.
    body_html: Mapped[dict[str, str]] = mapped_column(sa.JSON, deferred=True, deferred_group="text")
    toc: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(
        sa.JSON, deferred=True, deferred_group="text"
    )
    media: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # video, captions, duration
    quiz_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz_version.id"))  # quiz sections
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz_version: Mapped["QuizVersion | None"] = relationship()  # noqa: F821 (portal.models.assessment)
    module: Mapped[Module] = relationship(viewonly=True)


class SectionProgress(db.Model):
    __table_args__ = (sa.UniqueConstraint("user_id", "section_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    section_version_id: Mapped[int] = mapped_column(sa.ForeignKey("section_version.id"))
    status: Mapped[ProgressStatus] = mapped_column(enum_column(ProgressStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    watched: Mapped[list[list[float]]] = mapped_column(sa.JSON, default=list)  # merged [start, end] seconds
    position_seconds: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    section: Mapped[SectionVersion] = relationship()


class ModuleCompletion(db.Model):
    """A person completed this version of a module: kept for ever, whatever comes after."""

    __table_args__ = (sa.UniqueConstraint("user_id", "module_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(sa.ForeignKey("module_version.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module_version: Mapped[ModuleVersion] = relationship()


class LastVisit(db.Model):
    """Where a learner left off in a module, to resume there."""

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), primary_key=True)
    section_slug: Mapped[str] = mapped_column(sa.String(80))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
