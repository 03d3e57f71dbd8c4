"""Located problems in quiz files, collected and raised together as one error."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a quiz file: where, what, and how to fix it."""

    file: str
    line: int | None
    where: str
    message: str
    hint: str

    def __str__(self) -> str:
        """Return the problem as `file:line: where: message (hint)`."""
        loc = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{loc}: {self.where}: {self.message}. Fix: {self.hint}"


class QuizError(ValueError):
    """Raised when a quiz file is invalid; `problems` lists every issue that was found."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in quiz definition:\n{lines}")


def render_path(path: Path) -> str:
    """Return a path like ("questions", 2, "options") as `questions[2].options`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


@dataclass
class Collector:
    """Accumulates problems for one file, using YAML marks to attach line numbers."""

    file: str
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, message: str, hint: str) -> None:
        """Record a problem at `path`, located at the nearest known line."""
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        self.problems.append(Problem(self.file, line, render_path(path), message, hint))

    def raise_if_any(self) -> None:
        """Raise QuizError listing every recorded problem in line order, if there is at least one."""
        if self.problems:
            raise QuizError(tuple(sorted(self.problems, key=lambda p: p.line or 0)))


def index_lines(node: yaml.Node, collector: Collector, path: Path = ()) -> None:
    """Record the 1-based line of every node under `path`, and report duplicate mapping keys."""
    collector.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                collector.lines[(*path, key)] = key_node.start_mark.line + 1
                collector.add((*path, key), f"key '{key}' appears twice", "remove one of the duplicates")
            seen.add(key)
            index_lines(value_node, collector, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index_lines(item, collector, (*path, i))
