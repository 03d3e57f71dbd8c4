"""quiz.yaml as plain data and back. Pure. Written the same way every time (keys in the order of
content/README.md, longer texts as blocks), so that a save in the editor is a small diff in review."""

from typing import Any

import yaml

QUESTIONS = "questions"
KEY_ORDER = (
    # settings
    "title", "mode", "pass_mark", "attempts_allowed", "cooldown_minutes", "time_limit_minutes",
    "grace_seconds", "shuffle_questions", "shuffle_options", "partial_credit", "penalty", "counts",
    "review", "fixed", "pools",
    # questions, options, premises, pools, texts
    "id", "type", "tag", "count", "tags", "text", "sv", "en", "options", "items", "premises", "choices",
    "match", "correct", "scoring", "answer", "tolerance", "unit", "feedback", "feedback_true",
    "feedback_false", "explanation",
)  # fmt: skip
RANK = {key: rank for rank, key in enumerate(KEY_ORDER)}


class UnreadableQuiz(ValueError):
    """quiz.yaml is not YAML, or not a mapping with a list of questions: it cannot be edited here."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # A block keeps a paragraph readable; PyYAML falls back to quoting where a block cannot hold it.
    # It writes NEL (U+0085) as it is, which reads back as a line break, unless double-quoted.
    style = '"' if "\x85" in text else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_quiz(settings: dict[str, Any], questions: list[dict[str, Any]]) -> str:
    """quiz.yaml for these settings (without "questions") and questions; the input is not changed."""
    data = {**_ordered(settings), QUESTIONS: [_ordered(question) for question in questions]}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def read_quiz(text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(settings, questions) of quiz.yaml as plain data; raises UnreadableQuiz."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UnreadableQuiz(str(error)) from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UnreadableQuiz("quiz.yaml is not a mapping")
    settings = dict(data)
    questions = settings.pop(QUESTIONS, None) or []
    if not isinstance(questions, list) or not all(isinstance(q, dict) for q in questions):
        raise UnreadableQuiz("questions is not a list of mappings")
    return settings, questions


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: RANK.get(key, len(RANK)))
        return {key: _ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value
