"""Readable differences between two versions of an item's files, line by line."""

import difflib
from dataclasses import dataclass

CONTEXT_LINES = 3


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "added", "removed", "gap"
    text: str


@dataclass(frozen=True)
class FileDiff:
    path: str
    change: str  # "added", "removed", "changed"
    lines: tuple[Line, ...]


def file_diffs(old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Every file that differs, with its changed lines and a little context around them."""
    diffs = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        diffs.append(FileDiff(path, change, tuple(_lines(before or "", after or ""))))
    return diffs


def _lines(before: str, after: str) -> list[Line]:
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if lines:
            lines.append(Line("gap", "…"))
        for tag, a_start, a_end, b_start, b_end in group:
            if tag == "equal":
                lines.extend(Line("same", text) for text in matcher.a[a_start:a_end])
                continue
            lines.extend(Line("removed", text) for text in matcher.a[a_start:a_end])
            lines.extend(Line("added", text) for text in matcher.b[b_start:b_end])
    return lines
