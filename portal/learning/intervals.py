"""Watched time as merged intervals: what the player reports, what the server believes."""

Interval = tuple[float, float]

MAX_PLAYBACK_RATE = 2.0  # the player offers at most 2x
SLACK_SECONDS = 15.0  # network delay and report batching


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering exactly the same time."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def covered(intervals: list[Interval]) -> float:
    return sum(end - start for start, end in merge(intervals))


def valid_report(intervals: object, duration: float) -> list[Interval] | None:
    """The reported intervals if they are well formed and within the video, else None."""
    if not isinstance(intervals, list) or len(intervals) > 200:
        return None
    result = []
    for item in intervals:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            return None
        start, end = item
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end)):
            return None
        if not (0 <= start < end <= duration + 1.0):
            return None
        result.append((float(start), float(min(end, duration))))
    return result


def accept(known: list[Interval], reported: list[Interval], seconds_since_last: float) -> list[Interval]:
    """Add what was reported, but never more new coverage than could have been watched since the
    last report: a script posting the whole film at once gains only the time that has passed."""
    allowance = seconds_since_last * MAX_PLAYBACK_RATE + SLACK_SECONDS
    result = merge(known)
    for start, end in merge(reported):
        gain = covered([*result, (start, end)]) - covered(result)
        if gain > allowance:
            end = start + allowance if allowance > 0 else start
            gain = covered([*result, (start, end)]) - covered(result)
        if end > start:
            result = merge([*result, (start, end)])
            allowance -= gain
    return result
