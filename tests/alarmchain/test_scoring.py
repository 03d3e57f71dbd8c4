"""Scoring a trainee's log: correct, late, missed, out of order and wrong, as codes."""

from __future__ import annotations

from pathlib import Path

from portal.alarmchain.events import Actor, Kind
from portal.alarmchain.labels import FEEDBACK
from portal.alarmchain.loader import load_scenario
from portal.alarmchain.scoring import Verdict, score
from tests.alarmchain.conftest import act, alarm

ROOT = Path(__file__).resolve().parents[2]
FALSE_ALARM = load_scenario(ROOT / "content" / "scenarios" / "02-felaktigt-larm.yaml")
NO_VOICE = load_scenario(ROOT / "content" / "scenarios" / "03-ingen-talkontakt.yaml")
OP = Actor.OPERATOR
CID = "4600200001"


def test_correct_play_scores_full() -> None:
    log = [alarm(0, cid=CID), act(30, OP, Kind.CASE, "C0001", "answer"),
           act(60, OP, Kind.CASE, "C0001", "close_false_alarm")]  # fmt: skip
    result = score(FALSE_ALARM, log)
    assert [s.verdict for s in result.steps] == [Verdict.CORRECT, Verdict.CORRECT]
    assert (result.points, result.max_points, result.percent) == (4, 4, 100)
    assert result.feedback == ()


def test_late_answer_and_a_forbidden_dispatch() -> None:
    log = [alarm(0, cid=CID), act(90, OP, Kind.CASE, "C0001", "answer"),
           act(120, OP, Kind.CASE, "C0001", "dispatch")]  # fmt: skip
    result = score(FALSE_ALARM, log)
    answer, close = result.steps
    assert answer.verdict is Verdict.LATE
    assert dict(answer.feedback.params) == {"step": "answer", "seconds": "90", "limit": "60"}
    assert close.verdict is Verdict.MISSED
    assert [w.feedback.code for w in result.wrong] == ["action.forbidden"]
    assert result.points == 0  # 1 for late, minus 2 for the wrong action, floored at 0
    assert ("case.not_closed", ()) in [(f.code, f.params) for f in result.feedback]


def test_out_of_order_and_missed_steps() -> None:
    cid = "4600300001"
    log = [alarm(0, cid=cid), act(20, OP, Kind.CASE, "C0001", "no_voice"),
           act(30, OP, Kind.CASE, "C0001", "dispatch")]  # fmt: skip
    verdicts = {s.step: s.verdict for s in score(NO_VOICE, log).steps}
    assert verdicts["answer"] is Verdict.CORRECT
    assert verdicts["callback"] is Verdict.MISSED
    assert verdicts["dispatch"] is Verdict.CORRECT  # its "after" step never happened
    assert verdicts["arrive"] is Verdict.MISSED


def test_every_feedback_code_has_both_languages() -> None:
    codes = {"step.correct", "step.late", "step.missed", "step.out_of_order", "action.forbidden",
             "sla.breach", "case.not_closed"}  # fmt: skip
    assert codes <= set(FEEDBACK)
    assert all(label.sv and label.en for label in FEEDBACK.values())
