"""The module editor: the module's front matter and introduction, its sections (added, moved,
removed), each section's text with a preview through the learners' renderer, images and videos."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from portal.authoring import bp, files, media
from portal.authoring.access import author_required, content_or_404, draft_or_404
from portal.authoring.editing import conflict, save_or_conflict, saved_message
from portal.authoring.forms import LockedForm
from portal.authoring.module_forms import (
    ImageForm,
    ModuleForm,
    MoveForm,
    NewSectionForm,
    SectionForm,
    VideoForm,
)
from portal.content.render import render_markdown
from portal.extensions import db
from portal.models import ContentKind, LocalContent, Revision, RevisionStatus


def _draft(content_id: int) -> tuple[LocalContent, Revision]:
    content = content_or_404(content_id, ContentKind.MODULE)
    revision = draft_or_404(content)
    if revision.status is not RevisionStatus.DRAFT:
        abort(redirect(url_for("authoring.review", content_id=content.id)))
    return content, revision


@bp.route("/items/<int:content_id>/module", methods=["GET", "POST"])
@author_required
def module_edit(content_id: int):
    content, revision = _draft(content_id)
    meta, intro = files.split(revision.files[files.MODULE_FILE])
    form = ModuleForm() if request.method == "POST" else ModuleForm(data=_module_data(revision, meta, intro))
    if form.validate_on_submit():
        changes = _module_files(form, meta)
        refused = save_or_conflict(revision, form.lock.data, changes)
        if refused is not None:
            return refused
        saved_message()
        return redirect(url_for("authoring.module_edit", content_id=content.id))
    return _module_page(content, revision, form), 400 if form.errors else 200


def _module_page(content: LocalContent, revision: Revision, form: ModuleForm, new_section=None):
    sections = [
        (section, files.split(revision.files[section.path])[0]) for section in files.sections(revision.files)
    ]
    return render_template(
        "authoring/module.html",
        content=content,
        revision=revision,
        form=form,
        sections=sections,
        has_quiz=files.QUIZ_FILE in revision.files,
        new_section=new_section or NewSectionForm(lock=revision.lock_version),
        move=MoveForm(lock=revision.lock_version),
    )


def _module_data(revision: Revision, meta: dict, intro: str) -> dict:
    references = [r for r in meta.get("references") or [] if isinstance(r, dict)]
    return {
        "lock": revision.lock_version,
        "title_sv": files.text_in(meta, "title", "sv"),
        "title_en": files.text_in(meta, "title", "en"),
        "summary_sv": files.text_in(meta, "summary", "sv"),
        "summary_en": files.text_in(meta, "summary", "en"),
        "audience": [str(a) for a in meta.get("audience") or []],
        "minutes": meta.get("minutes"),
        "intro_sv": intro,
        "intro_en": revision.files.get(files.MODULE_EN_FILE, ""),
        "references": [*references, *({} for _ in range(2))],
    }


def _module_files(form: ModuleForm, meta: dict) -> dict[str, str | None]:
    references = [
        {"title": row.title.data.strip(), "url": (row.url.data or "").strip()}
        for row in form.references
        if row.title.data and row.title.data.strip()
    ]
    meta = {
        **meta,
        "title": files.localised(form.title_sv.data, form.title_en.data or ""),
        "summary": files.localised(form.summary_sv.data, form.summary_en.data or ""),
        "audience": sorted(form.audience.data or []),
        "minutes": form.minutes.data,
        "references": references,
    }
    intro_en = (form.intro_en.data or "").strip()
    return {
        files.MODULE_FILE: files.join(meta, form.intro_sv.data or ""),
        files.MODULE_EN_FILE: intro_en + "\n" if intro_en else None,
    }


@bp.post("/items/<int:content_id>/module/sections")
@author_required
def section_new(content_id: int):
    content, revision = _draft(content_id)
    form = NewSectionForm()
    if form.validate_on_submit():
        slug = form.slug.data.strip()
        if files.section_by_slug(revision.files, slug) is not None:
            form.slug.errors.append(_("The module already has a section with that address name."))
        else:
            number = len(files.sections(revision.files)) + 1
            text = files.join({"title": form.title.data.strip(), "kind": form.kind.data}, "")
            refused = save_or_conflict(revision, form.lock.data, {f"{number:02d}-{slug}.md": text})
            if refused is not None:
                return refused
            flash(_("Section added."), "success")
            return redirect(url_for("authoring.section_edit", content_id=content.id, slug=slug))
    meta, intro = files.split(revision.files[files.MODULE_FILE])
    page_form = ModuleForm(data=_module_data(revision, meta, intro))
    return _module_page(content, revision, page_form, new_section=form), 400


@bp.post("/items/<int:content_id>/module/sections/<slug>/move")
@author_required
def section_move(content_id: int, slug: str):
    content, revision = _draft(content_id)
    form = MoveForm()
    order = files.sections(revision.files)
    section = files.section_by_slug(revision.files, slug)
    if section is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    index = order.index(section)
    target = index - 1 if form.direction.data == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        refused = save_or_conflict(revision, form.lock.data, files.renumbered(revision.files, order))
        if refused is not None:
            return refused
    return redirect(url_for("authoring.module_edit", content_id=content.id) + f"#section-{slug}")


@bp.post("/items/<int:content_id>/module/sections/<slug>/delete")
@author_required
def section_delete(content_id: int, slug: str):
    content, revision = _draft(content_id)
    form = LockedForm()
    section = files.section_by_slug(revision.files, slug)
    if section is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    remaining = [s for s in files.sections(revision.files) if s.slug != slug]
    changes = {section.path: None, section.english_path: None}
    renamed = files.renumbered({k: v for k, v in revision.files.items() if k not in changes}, remaining)
    refused = save_or_conflict(revision, form.lock.data, {**changes, **renamed})
    if refused is not None:
        return refused
    flash(_("Section removed."), "success")
    return redirect(url_for("authoring.module_edit", content_id=content.id))


@bp.route("/items/<int:content_id>/module/sections/<slug>", methods=["GET", "POST"])
@author_required
def section_edit(content_id: int, slug: str):
    content, revision = _draft(content_id)
    section = files.section_by_slug(revision.files, slug)
    if section is None:
        abort(404)
    meta, body = files.split(revision.files[section.path])
    en_meta, en_body = files.split(revision.files.get(section.english_path, ""))
    if request.method == "POST":
        form = SectionForm()
    else:
        form = SectionForm(data=_section_data(revision, meta, body, en_meta, en_body))
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = {
                lang: _preview(revision, text)
                for lang, text in (("sv", form.body_sv.data), ("en", form.body_en.data))
                if text
            }
        else:
            meta = {
                **meta,
                "title": files.localised(form.title_sv.data, ""),
                "required": bool(form.required.data),
            }
            changes = {
                section.path: files.join(meta, form.body_sv.data or ""),
                section.english_path: files.english_file(form.title_en.data or "", form.body_en.data or ""),
            }
            refused = save_or_conflict(revision, form.lock.data, changes)
            if refused is not None:
                return refused
            saved_message()
            return redirect(url_for("authoring.section_edit", content_id=content.id, slug=slug))
    return _section_page(content, revision, section, meta, form, preview), 400 if form.errors else 200


def _section_page(content, revision, section, meta, form, preview=None, image=None, video=None):
    return render_template(
        "authoring/section.html",
        content=content,
        revision=revision,
        section=section,
        kind=meta.get("kind", "text"),
        video=meta.get("video"),
        form=form,
        preview=preview,
        image=image or ImageForm(lock=revision.lock_version),
        video_form=video or VideoForm(lock=revision.lock_version),
    )


def _section_data(revision: Revision, meta: dict, body: str, en_meta: dict, en_body: str) -> dict:
    return {
        "lock": revision.lock_version,
        "title_sv": files.text_in(meta, "title", "sv"),
        "title_en": str(en_meta.get("title") or files.text_in(meta, "title", "en")),
        "required": meta.get("required", True),
        "body_sv": body,
        "body_en": en_body,
    }


def _preview(revision: Revision, text: str) -> Markup:
    """The text as learners will see it: the same renderer and sanitiser, media from the draft."""

    def media_url(name: str) -> str:
        sha256 = revision.media.get(f"media/{name}")
        return url_for("authoring.media", sha256=sha256) if sha256 else f"#{name}"

    html, _toc = render_markdown(text, lambda slug: url_for("learning.module", slug=slug), media_url)
    return Markup(html)  # noqa: S704  (sanitised by render_markdown's allowlist)  # nosec B704 – sanitised by render_markdown's nh3 allowlist


@bp.post("/items/<int:content_id>/module/sections/<slug>/image")
@author_required
def section_image(content_id: int, slug: str):
    """Upload an image and add it, with its alt text, at the end of the section's Swedish text."""
    form = ImageForm()

    def attach(revision: Revision, meta: dict, body: str) -> str:
        snippet = media.attach_image(revision, form.image.data, form.alt.data, current_user)
        return files.join(meta, f"{body.rstrip()}\n\n{snippet}\n")

    return _upload(
        content_id, slug, form, form.image, attach, _("The image was added at the end of the text.")
    )


@bp.post("/items/<int:content_id>/module/sections/<slug>/video")
@author_required
def section_video(content_id: int, slug: str):
    """Upload a section's film with its captions (Swedish required); the section becomes a video."""
    form = VideoForm()

    def attach(revision: Revision, meta: dict, body: str) -> str:
        film = media.attach_video(
            revision, form.video.data, form.captions_sv.data, form.captions_en.data or None, current_user
        )
        video = {"kind": "video", "video": film["video"], "captions": film["captions"]}
        if film.get("duration"):
            video["duration"] = film["duration"]
        return files.join({**meta, **video}, body)

    return _upload(content_id, slug, form, form.video, attach, _("The video was uploaded."))


def _upload(content_id: int, slug: str, form: LockedForm, file_field, attach, done: str):
    """Store an upload into the draft and save the section text ``attach`` returns for it; a refused
    file is reported on ``file_field`` with nothing stored or changed."""
    content, revision = _draft(content_id)
    section = files.section_by_slug(revision.files, slug)
    if section is None:
        abort(404)
    meta, body = files.split(revision.files[section.path])
    if form.validate_on_submit():
        if form.lock.data != revision.lock_version:
            return conflict(revision, {})
        try:
            changed = attach(revision, meta, body)
        except media.MediaRejected as error:
            file_field.errors.append(str(error.message))
        else:
            refused = save_or_conflict(
                revision, form.lock.data, {section.path: changed}, media=revision.media
            )
            if refused is not None:
                return refused
            flash(done, "success")
            return redirect(url_for("authoring.section_edit", content_id=content.id, slug=slug))
    db.session.rollback()
    english = files.split(revision.files.get(section.english_path, ""))
    text_form = SectionForm(data=_section_data(revision, meta, body, *english))
    upload_form = {"image": form} if isinstance(form, ImageForm) else {"video": form}
    return _section_page(content, revision, section, meta, text_form, **upload_form), 400
