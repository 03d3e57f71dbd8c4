import json

import pytest


def test_run_prints_timeline_and_sla_summary(runner):
    result = runner.invoke(args=["alarmchain", "run", "03-ingen-talkontakt"])
    assert result.exit_code == 0, result.output
    assert "no_voice" in result.output
    assert "dispatch" in result.output
    assert "complete: yes" in result.output


def test_same_seed_gives_identical_json(runner):
    first = runner.invoke(args=["alarmchain", "run", "01-natt-fall-med-talkontakt", "--json", "--seed", "7"])
    second = runner.invoke(args=["alarmchain", "run", "01-natt-fall-med-talkontakt", "--json", "--seed", "7"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    run = json.loads(first.output)
    assert run["seed"] == 7
    assert run["complete"] is True
    assert all(event["v"] == 1 for event in run["events"])


def test_unknown_scenario_is_a_clear_error(runner):
    result = runner.invoke(args=["alarmchain", "run", "finns-inte"])
    assert result.exit_code != 0
    assert "No scenario 'finns-inte'" in result.output
    assert "01-natt-fall-med-talkontakt" in result.output


def test_list_names_the_shipped_scenarios(runner):
    result = runner.invoke(args=["alarmchain", "list"])
    assert result.exit_code == 0
    assert len(result.output.strip().splitlines()) == 10


@pytest.mark.parametrize("brukare", ["0", "-5", "many"])
def test_day_refuses_bad_counts(runner, brukare):
    result = runner.invoke(args=["alarmchain", "day", "--brukare", brukare])
    assert result.exit_code == 2


def test_day_prints_aggregates(runner):
    result = runner.invoke(args=["alarmchain", "day", "--brukare", "50", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "answer" in result.output
