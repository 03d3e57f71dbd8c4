"""The public overview of the chain (filled in by the overview work)."""

from portal.simulator import bp


@bp.get("")
def overview() -> str:
    return "Trygghetskedjan"
