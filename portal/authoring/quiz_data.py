"""Between the quiz editor's forms and quiz.yaml's plain data: what the author typed becomes a question
or the settings (blank rows left out, empty ids made from the text), and a question fills the form
again. Values are passed on as typed where they are not numbers, so that the quiz checker names them."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from portal.authoring import files
from portal.authoring.quiz_forms import QuestionForm, QuizSettingsForm
from portal.authoring.quiz_yaml import dump_quiz

ROW_GROUPS = {
    "single": ("options",),
    "multiple": ("options",),
    "truefalse": (),
    "ordering": ("items",),
    "matching": ("premises", "choices"),
    "numeric": (),
}
NEW_QUIZ = {
    "title": {"sv": "Kunskapsprov", "en": "Knowledge test"},
    "mode": "exam",
    "pass_mark": 80,  # nosec B105 – a quiz's pass mark, not a password
    "shuffle_questions": True,
    "shuffle_options": True,
    "partial_credit": True,
    "counts": "best",
    "review": "full",
}
QUIZ_SECTION = {"title": {"sv": "Kunskapsprov", "en": "Knowledge test"}, "kind": "quiz"}
QUIZ_SECTION_SV = "Här visar du vad du har lärt dig i modulen. Dina svar sparas efter hand som du svarar."
QUIZ_SECTION_EN = "Here you show what you have learnt in the module. Your answers are saved as you go."
MIN_ROWS = 4
BLANK_ROWS = 2  # always at least this many empty rows at the end of a group, to add more
MORE_ROWS = 3  # rows that "Add rows" adds
MANAGED_SETTINGS = frozenset(
    {
        "title", "mode", "pass_mark", "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "penalty",
        "shuffle_questions", "shuffle_options", "partial_credit", "counts", "review", "fixed", "pools",
    }
)  # fmt: skip


@dataclass
class Built:
    """What a form became, and for each row group the form row of each written entry."""

    data: Any
    rows: dict[str, list[int]] = field(default_factory=dict)


# Texts and numbers


def text_parts(value: Any) -> tuple[str, str]:
    """(Swedish, English) of a quiz text: a string or {sv, en}."""
    if isinstance(value, dict):
        return _string(value.get("sv")), _string(value.get("en"))
    return _string(value), ""


def text_value(sv: str | None, en: str | None) -> str | dict[str, str] | None:
    """A quiz text as written, or None when both are empty; English without Swedish is kept, to be named."""
    sv, en = _typed(sv), _typed(en)
    if not en:
        return sv or None
    return {"sv": sv, "en": en}


def number_or_text(typed: str | None) -> int | float | str | None:
    """The number typed (a decimal comma is fine), None when empty, else the text for the checker to name."""
    text = (typed or "").strip()
    if not text:
        return None
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    for kind in (int, float):
        try:
            return kind(candidate)
        except ValueError:
            continue
    return text


def format_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _typed(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _string(value: Any) -> str:
    return "" if value is None else str(value)


def free_id(text: str, taken: set[str], fallback: str) -> str:
    """An id made from the text (å → a, spaces → -), not among `taken`, which it is added to."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:30].rstrip("-") or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


# Question form → question


def question_from_form(form: QuestionForm, kind: str, other_ids: set[str]) -> Built:
    """The question the form describes; an empty id is made from the question's text."""
    question: dict[str, Any] = {
        "id": _typed(form.id.data) or free_id(_typed(form.text_sv.data), set(other_ids), "fraga"),
        "type": kind,
        "text": text_value(form.text_sv.data, form.text_en.data) or "",
    }
    tags = [tag.strip() for tag in (form.tags.data or "").split(",") if tag.strip()]
    _put(question, "tags", tags or None)
    _put(question, "explanation", text_value(form.explanation_sv.data, form.explanation_en.data))
    built = Built(question)
    for group in ROW_GROUPS[kind]:
        question[group] = _entries(form, group, built)
    _type_fields(form, kind, question, built)
    return built


def _type_fields(form: QuestionForm, kind: str, question: dict[str, Any], built: Built) -> None:
    if kind == "single":
        chosen = form.correct_option.data or ""
        rows = built.rows["options"]
        if chosen.isdigit() and int(chosen) in rows:
            question["correct"] = question["options"][rows.index(int(chosen))]["id"]
    elif kind == "multiple":
        marked = [n for n, row in enumerate(form.options) if row.form.correct.data]
        rows = built.rows["options"]
        question["correct"] = [question["options"][rows.index(n)]["id"] for n in marked if n in rows]
        _put(question, "scoring", form.scoring.data or None)
    elif kind == "truefalse":
        if form.true_or_false.data in ("true", "false"):
            question["correct"] = form.true_or_false.data == "true"
        _put(question, "feedback_true", text_value(form.feedback_true_sv.data, form.feedback_true_en.data))
        _put(question, "feedback_false", text_value(form.feedback_false_sv.data, form.feedback_false_en.data))
    elif kind == "numeric":
        _put(question, "answer", number_or_text(form.answer.data))
        _put(question, "tolerance", number_or_text(form.tolerance.data))
        _put(question, "unit", text_value(form.unit_sv.data, form.unit_en.data))


def _entries(form: QuestionForm, group: str, built: Built) -> list[dict[str, Any]]:
    rows = [(number, row.form) for number, row in enumerate(getattr(form, group)) if not _is_blank(row.form)]
    taken = {_typed(row.id.data) for _number, row in rows} - {""}
    entries = []
    for _number, row in rows:
        entry: dict[str, Any] = {
            "id": _typed(row.id.data) or free_id(_typed(row.text_sv.data), taken, "x"),
            "text": text_value(row.text_sv.data, row.text_en.data) or "",
        }
        if group == "premises":
            _put(entry, "match", _typed(row.match.data) or None)
        _put(entry, "feedback", text_value(row.feedback_sv.data, row.feedback_en.data))
        entries.append(entry)
    built.rows[group] = [number for number, _row in rows]
    return entries


def _is_blank(row) -> bool:
    return not any(_typed(f.data) for f in row if f.type == "StringField") and not getattr(
        getattr(row, "correct", None), "data", False
    )


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        data[key] = value


# Question → form


def question_form_data(question: dict[str, Any]) -> dict[str, Any]:
    """The form's data for a question of quiz.yaml, as far as it is readable."""
    data: dict[str, Any] = {
        "id": _string(question.get("id")),
        "tags": ", ".join(map(str, _list(question.get("tags")))),
    }
    for name in ("text", "explanation", "unit", "feedback_true", "feedback_false"):
        data[f"{name}_sv"], data[f"{name}_en"] = text_parts(question.get(name))
    correct = question.get("correct")
    marked = set(map(str, correct)) if isinstance(correct, list) else {_string(correct)}
    for group in ("options", "items", "premises", "choices"):
        data[group] = [
            _row_data(entry, marked if group == "options" else set()) for entry in _dicts(question, group)
        ]
    option_ids = [row["id"] for row in data["options"]]
    data["correct_option"] = (
        str(option_ids.index(_string(correct))) if _string(correct) in option_ids else None
    )
    data["true_or_false"] = {True: "true", False: "false"}.get(correct) if isinstance(correct, bool) else None
    data["scoring"] = _string(question.get("scoring"))
    data["answer"] = format_number(question.get("answer"))
    data["tolerance"] = format_number(question.get("tolerance"))
    return data


def _row_data(entry: dict[str, Any], marked: set[str]) -> dict[str, Any]:
    row = {"id": _string(entry.get("id")), "match": _string(entry.get("match"))}
    row["text_sv"], row["text_en"] = text_parts(entry.get("text"))
    row["feedback_sv"], row["feedback_en"] = text_parts(entry.get("feedback"))
    row["correct"] = row["id"] in marked
    return row


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [entry for entry in _list(data.get(key)) if isinstance(entry, dict)]


def pad_rows(
    form: QuestionForm | QuizSettingsForm, groups: tuple[str, ...], more: int = 0, minimum: int = MIN_ROWS
) -> None:
    """Empty rows to write in: at least `minimum` in all, BLANK_ROWS at the end, and `more` besides."""
    for group in groups:
        rows = getattr(form, group)
        trailing = 0
        for row in reversed(rows.entries):
            if not _is_blank(row.form):
                break
            trailing += 1
        wanted = max(BLANK_ROWS - trailing, minimum - len(rows.entries), 0) + more
        for _ in range(wanted):
            rows.append_entry()


# Settings


def settings_from_form(form: QuizSettingsForm, old: dict[str, Any], question_ids: list[str]) -> Built:
    """The quiz's settings from the form; settings the form does not show (grace_seconds) are kept."""
    settings = {key: value for key, value in old.items() if key not in MANAGED_SETTINGS}
    settings["title"] = text_value(form.title_sv.data, form.title_en.data) or ""
    settings["mode"] = form.mode.data
    for name in ("pass_mark", "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "penalty"):
        _put(settings, name, number_or_text(getattr(form, name).data))
    for name in ("shuffle_questions", "shuffle_options", "partial_credit"):
        settings[name] = bool(getattr(form, name).data)
    settings["counts"], settings["review"] = form.counts.data, form.review.data
    ticked = set(form.fixed.data or [])
    _put(settings, "fixed", [qid for qid in question_ids if qid in ticked] or None)
    rows = [(number, row.form) for number, row in enumerate(form.pools) if not _is_blank(row.form)]
    pools = [{"tag": _typed(row.tag.data), **_count(row.count.data)} for _number, row in rows]
    _put(settings, "pools", pools or None)
    return Built(settings, {"pools": [number for number, _row in rows]})


def _count(typed: str | None) -> dict[str, Any]:
    count = number_or_text(typed)
    return {} if count is None else {"count": count}


def settings_form_data(settings: dict[str, Any]) -> dict[str, Any]:
    data = {name: format_number(settings.get(name)) for name in ("attempts_allowed", "time_limit_minutes")}
    data["title_sv"], data["title_en"] = text_parts(settings.get("title"))
    data["mode"] = _string(settings.get("mode", "exam"))
    data["pass_mark"] = format_number(settings.get("pass_mark", 80))
    data["cooldown_minutes"] = format_number(settings.get("cooldown_minutes", 0))
    data["penalty"] = format_number(settings.get("penalty")) if settings.get("penalty") else ""
    for name in ("shuffle_questions", "shuffle_options", "partial_credit"):
        data[name] = settings.get(name, True) is not False
    data["counts"] = _string(settings.get("counts", "best"))
    data["review"] = _string(settings.get("review", "full"))
    data["fixed"] = [str(qid) for qid in _list(settings.get("fixed"))]
    data["pools"] = [
        {"tag": _string(pool.get("tag")), "count": format_number(pool.get("count"))}
        for pool in _dicts(settings, "pools")
    ]
    return data


# The quiz as a whole


def new_quiz_files(module_files: dict[str, str]) -> dict[str, str]:
    """quiz.yaml with the default settings and, unless the module has one, a quiz section after the last."""
    new = {files.QUIZ_FILE: dump_quiz(NEW_QUIZ, [])}
    sections = files.sections(module_files)
    if any(files.split(module_files[section.path])[0].get("kind") == "quiz" for section in sections):
        return new
    number = max((section.number for section in sections), default=0) + 1
    slug = free_id("kunskapsprov", {section.slug for section in sections}, "kunskapsprov")
    section = files.SectionFile(number, slug, f"{number:02d}-{slug}.md")
    new[section.path] = files.join(QUIZ_SECTION, QUIZ_SECTION_SV)
    new[section.english_path] = QUIZ_SECTION_EN + "\n"
    return new


def renamed(settings: dict[str, Any], old_id: str | None, new_id: str | None) -> dict[str, Any]:
    """The settings with a question's id changed (None: removed) among the fixed questions."""
    fixed = [str(qid) for qid in _list(settings.get("fixed"))]
    if old_id is None or old_id not in fixed:
        return settings
    fixed = [new_id if qid == old_id else qid for qid in fixed if new_id is not None or qid != old_id]
    changed = {key: value for key, value in settings.items() if key != "fixed"}
    if fixed:
        changed["fixed"] = fixed
    return changed


def is_drawn(settings: dict[str, Any], question: dict[str, Any]) -> bool:
    """Whether attempts can contain the question: every question is asked unless fixed or pools choose."""
    if "fixed" not in settings and "pools" not in settings:
        return True
    pool_tags = {pool.get("tag") for pool in _dicts(settings, "pools")}
    return question.get("id") in _list(settings.get("fixed")) or bool(
        pool_tags & set(_list(question.get("tags")))
    )
