from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.alarmchain import (
    ScenarioError,
    format_day_summary,
    format_timeline,
    load_scenarios,
    run_scenario,
    run_to_json,
    simulate_day,
)

alarmchain_cli = AppGroup("alarmchain", help="Run the alarm-chain engine from the command line.")


def _scenarios() -> dict:
    try:
        return load_scenarios(Path(current_app.config["SCENARIO_DIR"]))
    except ScenarioError as error:
        raise click.ClickException(str(error)) from error


@alarmchain_cli.command("run")
@click.argument("scenario")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same run.")
@click.option("--json", "as_json", is_flag=True, help="Print the event log as JSON lines.")
def run_command(scenario: str, seed: int, as_json: bool) -> None:
    """Play SCENARIO with the automated actors; print the timeline and the SLA summary."""
    scenarios = _scenarios()
    if scenario not in scenarios:
        raise click.ClickException(f"No scenario {scenario!r}. Known: {', '.join(sorted(scenarios))}")
    run = run_scenario(scenarios[scenario], seed)
    click.echo(run_to_json(run) if as_json else format_timeline(run))


@alarmchain_cli.command("list")
def list_command() -> None:
    """List the scenarios in content/scenarios."""
    for slug, scenario in sorted(_scenarios().items()):
        click.echo(f"{slug}\t{scenario.title.sv}")


@alarmchain_cli.command("day")
@click.option("--brukare", type=click.IntRange(1, 1_000_000), default=3000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def day_command(brukare: int, seed: int) -> None:
    """Simulate one day of a municipality's alarms and print the SLA aggregates."""
    click.echo(format_day_summary(simulate_day(brukare, seed)))


@alarmchain_cli.command("prune")
def prune_command() -> None:
    """Delete demo runs untouched for a day and unfinished exercises untouched for 30 days."""
    from portal.simulator.services import prune

    click.echo(f"Deleted {prune()} runs.")
