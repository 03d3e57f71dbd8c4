"""The life of a local item: draft → in review → published, with four eyes, optimistic locking and
an audit entry for every step. Kind-specific checking and publishing live in `publishers`. Callers
commit."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.authoring.files import next_version
from portal.extensions import db
from portal.models import (
    Certification,
    ContentKind,
    LocalContent,
    Module,
    Organisation,
    ReviewComment,
    ReviewVerdict,
    Revision,
    RevisionStatus,
    User,
    utcnow,
)

CHANGE_NOTE_LIMIT = 1000


class WorkflowError(Exception):
    """A step that is not allowed now; the message is for the author."""

    def __init__(self, message: object) -> None:
        self.message = message
        super().__init__(str(message))


class StaleRevision(WorkflowError):
    """Someone saved the draft after this author opened it: nothing was written."""

    def __init__(self, revision: Revision) -> None:
        self.revision = revision
        super().__init__(_l("Someone else saved this draft after you opened it."))


class ContentProblems(WorkflowError):
    """The files do not make valid content; each problem names its file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(_l("The draft cannot be published yet: fix the problems listed."))


class Publisher(Protocol):
    editor: str  # the endpoint that edits a draft of this kind (with content_id)

    def new_files(self, slug: str, title: str) -> dict[str, str]: ...

    def problems(self, revision: Revision) -> list[str]: ...

    def renewals(self, revision: Revision) -> int: ...

    def publish(self, revision: Revision) -> int | None:
        """Make ``revision`` (its version and is_major set) live; the id of what it became."""


PUBLISHERS: dict[ContentKind, Publisher] = {}


def register(kind: ContentKind, publisher: Publisher) -> None:
    PUBLISHERS[kind] = publisher


# Reading


def published_revisions(content: LocalContent) -> list[Revision]:
    return [r for r in content.revisions if r.status is RevisionStatus.PUBLISHED]


def latest_published(content: LocalContent) -> Revision | None:
    published = published_revisions(content)
    return published[-1] if published else None


def open_revision(content: LocalContent) -> Revision | None:
    """The one draft or revision in review, if any."""
    return next((r for r in reversed(content.revisions) if r.is_open), None)


def review_required(organisation: Organisation) -> bool:
    return organisation.review_required


# Changing


def create(kind: ContentKind, slug: str, files: dict[str, str], author: User) -> Revision:
    """A new local item with its first draft; the slug must be free among national and local items."""
    content = LocalContent(
        organisation_id=author.organisation_id, kind=kind, slug=slug, created_by_id=author.id
    )
    db.session.add(content)
    revision = Revision(content=content, number=1, files=files, media={}, created_by_id=author.id)
    db.session.add(revision)
    db.session.flush()
    audit.record("content.created", content, author.organisation_id, kind=kind.value, slug=slug)
    return revision


def start_draft(content: LocalContent, author: User, source: Revision | None = None) -> Revision:
    """A new draft from ``source`` (an old version to restore) or from the latest published one."""
    if open_revision(content) is not None:
        raise WorkflowError(_l("There is already a draft of this; continue that one."))
    base = source or latest_published(content)
    if base is None:
        raise WorkflowError(_l("There is nothing to start from."))
    revision = Revision(
        content=content,
        number=max(r.number for r in content.revisions) + 1,
        files=dict(base.files),
        media=dict(base.media),
        based_on_id=base.id,
        created_by_id=author.id,
    )
    db.session.add(revision)
    db.session.flush()
    action = "content.restored" if source is not None else "content.draft_started"
    audit.record(action, content, author.organisation_id, revision=revision.number, source=base.number)
    return revision


def save(
    revision: Revision,
    seen_lock: int,
    author: User,
    files: Mapping[str, str | None] | None = None,
    media: Mapping[str, str] | None = None,
) -> None:
    """Write changed files (None removes one) if nobody saved since ``seen_lock``; else StaleRevision."""
    _require_draft(revision)
    if revision.lock_version != seen_lock:
        raise StaleRevision(revision)
    new_files = dict(revision.files)
    for path, text in (files or {}).items():
        if text is None:
            new_files.pop(path, None)
        else:
            new_files[path] = text
    if new_files == revision.files and (media is None or dict(media) == revision.media):
        return
    revision.files = new_files
    if media is not None:
        revision.media = dict(media)
    revision.updated_by_id = author.id
    revision.updated_at = utcnow()
    try:
        db.session.flush()  # the version counter makes a save that raced another one fail here
    except StaleDataError as error:
        db.session.rollback()
        raise StaleRevision(db.session.get(Revision, revision.id)) from error


def submit(revision: Revision, author: User, change_note: str, is_major: bool) -> None:
    """Send a draft for review, or publish it at once where the organisation does not use four eyes."""
    _require_draft(revision)
    note = change_note.strip()
    if not note:
        raise WorkflowError(_l("Write a change note: what changed and why."))
    if len(note) > CHANGE_NOTE_LIMIT:
        raise WorkflowError(_l("The change note is too long (at most 1000 characters)."))
    if is_major and latest_published(revision.content) is None:
        is_major = False  # a first version is new to everyone anyway
    if review_required(author.organisation):
        _check(revision)  # else publishing below checks
    revision.change_note = note
    revision.is_major = is_major
    revision.submitted_by_id = author.id
    revision.submitted_at = utcnow()
    revision.status = RevisionStatus.IN_REVIEW
    audit.record("content.submitted", revision.content, author.organisation_id,
                 revision=revision.number, major=is_major, note=note)  # fmt: skip
    if not review_required(author.organisation):
        publish(revision, author)


def comment(revision: Revision, reviewer: User, verdict: ReviewVerdict, body: str) -> ReviewComment:
    """A reviewer's comment; asking for changes sends the revision back to draft."""
    text = body.strip()
    if verdict is not ReviewVerdict.APPROVED and not text:
        raise WorkflowError(_l("Write the comment."))
    if verdict is not ReviewVerdict.COMMENT and revision.status is not RevisionStatus.IN_REVIEW:
        raise WorkflowError(_l("This revision is not waiting for review."))
    if verdict is ReviewVerdict.APPROVED and reviewer.id in writers(revision):
        raise WorkflowError(_l("A second author must approve: you wrote or submitted this revision."))
    note = ReviewComment(revision=revision, author_id=reviewer.id, verdict=verdict, body=text)
    db.session.add(note)
    if verdict is ReviewVerdict.CHANGES_REQUESTED:
        revision.status = RevisionStatus.DRAFT
    audit.record(f"content.review_{verdict.value}", revision.content, reviewer.organisation_id,
                 revision=revision.number)  # fmt: skip
    if verdict is ReviewVerdict.APPROVED:
        revision.approved_by_id = reviewer.id
        publish(revision, reviewer)
    return note


def publish(revision: Revision, by: User) -> None:
    """Freeze the revision as the item's next version and make it live."""
    if revision.status is not RevisionStatus.IN_REVIEW:
        raise WorkflowError(_l("Only a submitted revision can be published."))
    _check(revision)
    previous = latest_published(revision.content)
    revision.version = next_version(previous.version if previous else None, revision.is_major)
    revision.published_ref = PUBLISHERS[revision.content.kind].publish(revision)
    revision.status = RevisionStatus.PUBLISHED
    revision.published_at = utcnow()
    if revision.content.archived_at is not None:
        revision.content.archived_at = None
    audit.record("content.published", revision.content, by.organisation_id, revision=revision.number,
                 version=revision.version, major=revision.is_major, note=revision.change_note)  # fmt: skip


def renewals(revision: Revision) -> int:
    """How many people a major version of this revision would send into renewal."""
    return PUBLISHERS[revision.content.kind].renewals(revision)


def discard(revision: Revision, author: User) -> None:
    if not revision.is_open:
        raise WorkflowError(_l("Only a draft can be discarded."))
    revision.status = RevisionStatus.DISCARDED
    audit.record("content.discarded", revision.content, author.organisation_id, revision=revision.number)


def _require_draft(revision: Revision) -> None:
    if revision.status is RevisionStatus.IN_REVIEW:
        raise WorkflowError(_l("The revision is in review; ask for changes to edit it again."))
    if revision.status is not RevisionStatus.DRAFT:
        raise WorkflowError(_l("A published version never changes; start a new draft."))


def _check(revision: Revision) -> None:
    problems = PUBLISHERS[revision.content.kind].problems(revision)
    if problems:
        raise ContentProblems(problems)


def writers(revision: Revision) -> set[int]:
    return {revision.created_by_id, revision.updated_by_id or 0, revision.submitted_by_id or 0}


@dataclass(frozen=True)
class Status:
    """What the overview says about an item."""

    published: Revision | None
    open: Revision | None
    archived: bool


def status_of(content: LocalContent) -> Status:
    return Status(latest_published(content), open_revision(content), content.archived_at is not None)


def slug_taken(kind: ContentKind, slug: str) -> bool:
    national = {ContentKind.MODULE: Module, ContentKind.CERTIFICATION: Certification}.get(kind)
    if national is not None and db.session.scalar(sa.select(national.id).where(national.slug == slug)):
        return True
    return (
        db.session.scalar(
            sa.select(LocalContent.id).where(LocalContent.kind == kind, LocalContent.slug == slug)
        )
        is not None
    )
