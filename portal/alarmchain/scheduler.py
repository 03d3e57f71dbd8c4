"""The agenda of a discrete-event simulation: a heap ordered by virtual time, then priority."""

from __future__ import annotations

import heapq
from datetime import datetime


class Agenda:
    """Pending items; ties at one instant pop by priority, then in push order (deterministic)."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, int, str, object]] = []
        self._seq = 0
        self.work = 0  # pending items that are not periodic (heartbeats, supervision checks)

    def __bool__(self) -> bool:
        return bool(self._heap)

    def push(self, at: datetime, priority: int, tag: str, payload: object, *, work: bool) -> None:
        """Schedule ``payload`` at ``at``; ``work`` items keep a run from ending early."""
        self._seq += 1
        self.work += work
        heapq.heappush(self._heap, (at, priority, self._seq, tag if work else "~" + tag, payload))

    def next_at(self) -> datetime:
        """Return the time of the next item."""
        return self._heap[0][0]

    def pop(self) -> tuple[datetime, str, object]:
        """Remove and return the next item's time, tag and payload."""
        at, _, _, tag, payload = heapq.heappop(self._heap)
        if tag.startswith("~"):
            return at, tag[1:], payload
        self.work -= 1
        return at, tag, payload
