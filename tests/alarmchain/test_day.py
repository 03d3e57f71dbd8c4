"""A simulated municipal day: deterministic, plausible, and every refusal-free."""

from __future__ import annotations

from portal.alarmchain.day import format_day_summary, simulate_day


def test_small_day_is_deterministic_and_plausible() -> None:
    first, second = simulate_day(150, seed=3), simulate_day(150, seed=3)
    assert first == second
    assert format_day_summary(first) == format_day_summary(second)
    # 150 units, one heartbeat each 15 minutes for 24 h, less any silent units.
    assert 150 * 96 * 0.97 <= first.heartbeats <= 150 * 96
    assert first.alarms > 20
    assert first.rejected == 0
    assert first.sla.closed >= first.alarms - 5
    assert simulate_day(150, seed=4) != first
