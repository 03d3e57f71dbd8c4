"""Local material written in the browser: each item's revisions (draft → in review → published),
the reviewers' comments, uploaded media by content hash, and staff's confirmations of routines."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, enum_column, utcnow
from portal.models.user import User


class ContentKind(enum.StrEnum):
    MODULE = "module"  # a folder of the content/modules format
    CERTIFICATION = "certification"  # a content/certifications YAML file
    ROUTINE = "routine"  # a local routine or checklist that staff confirm they have read


class RevisionStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"  # immutable from here on
    DISCARDED = "discarded"


class LocalContent(db.Model):
    """One organisation's module, certification or routine: its identity across revisions."""

    __table_args__ = (sa.UniqueConstraint("kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[ContentKind] = mapped_column(enum_column(ContentKind))
    slug: Mapped[str] = mapped_column(sa.String(80))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    revisions: Mapped[list["Revision"]] = relationship(back_populates="content", order_by="Revision.number")


class Revision(db.Model):
    """A version of a local item as the files of the content/ format. Edited while a draft (each
    save checks `lock_version`, so a stale save is refused rather than lost), then frozen."""

    # Numbering makes two simultaneous "new draft" clicks collide instead of forking the item.
    __table_args__ = (sa.UniqueConstraint("content_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(sa.ForeignKey("local_content.id"), index=True)
    number: Mapped[int]
    status: Mapped[RevisionStatus] = mapped_column(enum_column(RevisionStatus), default=RevisionStatus.DRAFT)
    files: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # path -> text
    media: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # "media/x.jpg" -> sha256
    lock_version: Mapped[int] = mapped_column(default=1)
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("revision.id"))
    version: Mapped[str | None] = mapped_column(sa.String(16))  # major.minor, set when published
    is_major: Mapped[bool] = mapped_column(default=False)
    change_note: Mapped[str | None] = mapped_column(sa.String(1000))
    rendered: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # a routine's safe HTML
    published_ref: Mapped[int | None]  # the module or certification version it became
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": lock_version}

    content: Mapped[LocalContent] = relationship(back_populates="revisions")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    comments: Mapped[list["ReviewComment"]] = relationship(
        back_populates="revision", order_by="ReviewComment.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)


class ReviewVerdict(enum.StrEnum):
    COMMENT = "comment"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class ReviewComment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revision.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    verdict: Mapped[ReviewVerdict] = mapped_column(enum_column(ReviewVerdict), default=ReviewVerdict.COMMENT)
    body: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revision: Mapped[Revision] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class MediaFile(db.Model):
    """An uploaded file, checked by its content and stored once under instance/media by its hash."""

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    mimetype: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoutineAcknowledgement(db.Model):
    """Läskvittens: this person confirmed they have read this published revision of a routine."""

    __table_args__ = (sa.UniqueConstraint("user_id", "revision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("revision.id"), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
